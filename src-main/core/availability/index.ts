export {
  AVAILABILITY_LIMITS,
  DEFAULT_SHARING_SETTINGS,
  SharingSettingsSchema,
  WallTime,
  Weekday,
  WeeklyWindowSchema,
  WeeklyWindowsSchema,
} from '../schemas/availability.js';
export type { SharingSettings, WeeklyWindow } from '../schemas/availability.js';
export { currentAvailability, USER_IDLE_SECONDS } from './current.js';
export type { Availability, AvailabilityInput, PauseReason } from './current.js';
export { describeWindow } from './windows.js';
export type { UtcOffset } from './local-time.js';
