export {
  AVAILABILITY_LIMITS,
  DEFAULT_SHARING_SETTINGS,
  SharingSettingsSchema,
  WeeklyWindowSchema,
  WeeklyWindowsSchema,
} from '../schemas/availability.js';
export type { SharingSettings, WeeklyWindow } from '../schemas/availability.js';
export { currentAvailability, USER_IDLE_SECONDS } from './current.js';
export type { Availability, AvailabilityInput } from './current.js';
export { describeWindow } from './windows.js';
export type { UtcOffset } from './local-time.js';
