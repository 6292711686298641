export {
  AVAILABILITY_LIMITS,
  DEFAULT_SHARING_SETTINGS,
  SharingSettingsSchema,
  WeeklyWindowSchema,
  WeeklyWindowsSchema,
} from './schema.js';
export type { SharingSettings, WeeklyWindow } from './schema.js';
export { currentAvailability, USER_IDLE_SECONDS } from './current.js';
export type { Availability, AvailabilityInput } from './current.js';
export { describeWindow } from './windows.js';
export type { UtcOffset } from './local-time.js';
