// What a person sets about when and how much their machine is shared: weekly recurring
// windows with caps, and the sharing settings (pause on battery, only when idle, a CPU cap).
// One-off slots are the protocol's AvailabilitySlot (capability.ts).
import * as z from './zod.js';
import { boundedArray, Id, NonNegative } from './primitives.js';

export const AVAILABILITY_LIMITS = {
  /** Windows a node keeps; each can put one slot in a commitment at a time. */
  windows: 64,
  /** A window's id becomes `${window_id}@${ISO start}` (25 more characters), which must stay an Id. */
  windowIdChars: 64,
} as const;

/** "HH:MM", 24-hour local wall-clock time, 00:00 to 23:59. */
const WallTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a 24-hour time "HH:MM"'));

/** Days of the week as Date.getDay numbers them: 0 = Sunday … 6 = Saturday. */
const Weekday = z.int().check(z.minimum(0), z.maximum(6));

export const WeeklyWindowSchema = z.strictObject({
  window_id: Id.check(z.maxLength(AVAILABILITY_LIMITS.windowIdChars)),
  days: boundedArray(Weekday, 7).check(
    z.refine((days) => days.length >= 1, 'at least one day'),
    z.refine((days) => new Set(days).size === days.length, 'each day at most once'),
  ),
  /** Local time the window opens on each of `days`. */
  start: WallTime,
  /** Local time it closes; at or before `start` means the next day (so start == end is 24 hours). */
  end: WallTime,
  /** Caps on what the window offers; absent means as much as the machine (and the CPU cap) allow. */
  cpu_cores: z.optional(z.int().check(z.minimum(1), z.maximum(4096))),
  ram_gb: z.optional(z.number().check(z.positive(), z.maximum(1 << 20))),
  gpu_vram_gb: z.optional(NonNegative.check(z.maximum(1 << 20))),
});

/** The windows a node keeps: bounded, and ids unique (an id names the slots a window produces). */
export const WeeklyWindowsSchema = boundedArray(WeeklyWindowSchema, AVAILABILITY_LIMITS.windows).check(
  z.refine((windows) => new Set(windows.map((w) => w.window_id)).size === windows.length, 'window ids must be unique'),
);

export const SharingSettingsSchema = z.strictObject({
  /** Offer nothing while the machine runs from its battery. */
  pause_on_battery: z._default(z.boolean(), true),
  /** Offer nothing while other programs keep the CPU busy. */
  idle_only: z._default(z.boolean(), false),
  /** Other programs' CPU use (percent of the whole machine) above which it is "not idle". */
  idle_threshold_pct: z._default(z.number().check(z.minimum(0), z.maximum(100)), 25),
  /** Share of the machine's hardware threads that slots may offer. */
  cpu_cap_pct: z._default(z.number().check(z.minimum(1), z.maximum(100)), 100),
  /** Render Blender scenes for others (off by default: a scene is a native program's input, docs/BLENDER.md). */
  blender_sharing: z._default(z.boolean(), false),
  /** With it on, only for peers I trust at least this much (my trust weight, 0 to 1). */
  blender_min_trust: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.8),
});

export type WeeklyWindow = z.output<typeof WeeklyWindowSchema>;
export type SharingSettings = z.output<typeof SharingSettingsSchema>;

export const DEFAULT_SHARING_SETTINGS: SharingSettings = SharingSettingsSchema.parse({});
