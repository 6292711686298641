// What this node offers right now: the slots in force under the person's availability settings,
// or why it offers nothing. The node calls this every round with the clock, its hardware and its
// power and load readings, so every decision here can be replayed in a test.
import * as z from '../schemas/zod.js';
import {
  AlgorithmCapabilitySchema,
  AvailabilitySlotSchema,
  boundedArray,
  LIMITS,
  NonNegative,
  type AlgorithmCapability,
  type AvailabilitySlot,
  type ComputeResource,
} from '../schemas/index.js';
import { describeInstant, OffsetError, type UtcOffset } from './local-time.js';
import {
  SharingSettingsSchema,
  WeeklyWindowsSchema,
  type SharingSettings,
  type WeeklyWindow,
} from '../schemas/availability.js';
import { nextWindowStart, occurrencesInForce, type Occurrence } from './windows.js';

/** Why nothing is offered; `calibrating` is the node's own, before it knows its speed. */
type PauseReason = 'sharing_off' | 'on_battery' | 'busy' | 'outside_windows' | 'invalid_input' | 'calibrating';

export interface AvailabilityInput {
  nowMs: number;
  /** Local wall-clock offset from UTC in minutes at a given instant (the node passes one from Date). */
  utcOffsetMinutes: UtcOffset;
  /** The master switch. */
  sharing: boolean;
  windows: readonly WeeklyWindow[];
  /** The one-off slots the person added. */
  oneOffs: readonly AvailabilitySlot[];
  settings: SharingSettings;
  machine: { threads: number; ram_gb: number; vram_gb?: number };
  /** null: unknown (treated as on mains power). */
  power: { on_battery: boolean } | null;
  /** Other programs' CPU use, percent of the machine; null: not measured yet (treated as idle). */
  otherLoadPct: number | null;
  /** Seconds since the person last touched keyboard or mouse (the desktop app's powerMonitor); absent on a headless node. */
  userIdleSeconds?: number | null;
  /** What this node runs; given to every slot, and to one-off slots that list none. */
  algorithms: readonly AlgorithmCapability[];
}

export interface Availability {
  slots: AvailabilitySlot[];
  paused: null | { reason: PauseReason; message: string };
}

const DEFAULT_SLOT_MS = 60 * 60 * 1000;
/** "Only when idle" also waits for the person to leave keyboard and mouse this long (where that is known). */
export const USER_IDLE_SECONDS = 120;
/** Past this, toISOString writes a six-digit year, which IsoTime refuses. */
const LATEST_MS = Date.parse('9000-01-01T00:00:00Z');

const InputSchema = z.object({
  nowMs: z.number().check(z.minimum(0), z.maximum(LATEST_MS)),
  utcOffsetMinutes: z.custom<UtcOffset>((value) => typeof value === 'function', 'expected a function'),
  sharing: z.boolean(),
  windows: WeeklyWindowsSchema,
  oneOffs: boundedArray(AvailabilitySlotSchema, LIMITS.recordEntries),
  settings: SharingSettingsSchema,
  machine: z.object({
    threads: z.int().check(z.minimum(1), z.maximum(4096)),
    ram_gb: NonNegative.check(z.maximum(1 << 20)),
    vram_gb: z.optional(NonNegative.check(z.maximum(1 << 20))),
  }),
  power: z.nullable(z.object({ on_battery: z.boolean() })),
  otherLoadPct: z.nullable(z.number().check(z.minimum(0))),
  userIdleSeconds: z.optional(z.nullable(z.number().check(z.minimum(0)))),
  algorithms: boundedArray(AlgorithmCapabilitySchema, LIMITS.algorithmsPerSlot),
});

type CheckedInput = z.output<typeof InputSchema>;

/** What the machine and the CPU cap allow any slot; vram_gb undefined: no GPU memory to offer. */
interface MachineLimits {
  cores: number;
  ram_gb: number;
  vram_gb: number | undefined;
}

/**
 * The slots to put in this round's commitment, in a fixed order (start, then slot id), or none
 * and the reason, checked in this order: the master switch, the battery, the idle rule, the
 * windows. Bad input offers nothing (reason `invalid_input`) rather than throwing.
 */
export function currentAvailability(input: AvailabilityInput): Availability {
  const checked = InputSchema.safeParse(input);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return paused('invalid_input', `invalid availability input: ${where}${issue?.message ?? 'unknown'}`);
  }
  try {
    return decide(checked.data);
  } catch (error) {
    if (error instanceof OffsetError) return paused('invalid_input', error.message);
    throw error;
  }
}

function decide(input: CheckedInput): Availability {
  const { settings, nowMs } = input;
  if (!input.sharing) return paused('sharing_off', 'sharing is switched off');
  if (settings.pause_on_battery && input.power?.on_battery === true) {
    return paused('on_battery', 'paused while the machine runs on battery');
  }
  const load = input.otherLoadPct;
  if (settings.idle_only && load !== null && load > settings.idle_threshold_pct) {
    return paused(
      'busy',
      `paused until the machine is idle: other programs use ${Math.round(load)}% of the CPU (more than ${settings.idle_threshold_pct}%)`,
    );
  }
  const idleSeconds = input.userIdleSeconds;
  if (settings.idle_only && idleSeconds != null && idleSeconds < USER_IDLE_SECONDS) {
    return paused('busy', `paused while you use the computer (idle for ${USER_IDLE_SECONDS / 60} minutes to resume)`);
  }
  const limits = machineLimits(input.machine, settings.cpu_cap_pct);
  if (input.windows.length === 0 && input.oneOffs.length === 0) {
    return { slots: [defaultSlot(nowMs, input.machine.ram_gb, limits, input.algorithms)], paused: null };
  }
  const slots = [
    ...input.oneOffs
      .filter((slot) => Date.parse(slot.start_time) <= nowMs && nowMs < Date.parse(slot.end_time))
      .map((slot) => oneOffSlot(slot, limits, input.algorithms)),
    ...occurrencesInForce(input.windows, nowMs, input.utcOffsetMinutes).map((o) =>
      windowSlot(o, limits, input.algorithms),
    ),
  ]
    .sort(bySlotOrder)
    // A commitment carries a bounded number of slots; the order decides which stay.
    .slice(0, LIMITS.slotsPerCommitment);
  if (slots.length > 0) return { slots, paused: null };
  return paused('outside_windows', outsideMessage(input));
}

function paused(reason: PauseReason, message: string): Availability {
  return { slots: [], paused: { reason, message } };
}

function machineLimits(machine: CheckedInput['machine'], cpuCapPct: number): MachineLimits {
  return {
    // At least one core: the cap leaves room for the person, it does not switch sharing off.
    cores: Math.max(1, Math.floor((machine.threads * cpuCapPct) / 100)),
    ram_gb: machine.ram_gb,
    vram_gb: machine.vram_gb !== undefined && machine.vram_gb > 0 ? machine.vram_gb : undefined,
  };
}

/** Resources cut to what the machine allows; VRAM only where both the slot and the machine have some. */
function capped(resources: ComputeResource, limits: MachineLimits): ComputeResource {
  const { gpu_vram_gb, ...rest } = resources;
  const cut = {
    ...rest,
    cpu_cores: Math.min(resources.cpu_cores, limits.cores),
    ram_gb: Math.min(resources.ram_gb, limits.ram_gb),
  };
  if (gpu_vram_gb === undefined || limits.vram_gb === undefined) return cut;
  return { ...cut, gpu_vram_gb: Math.min(gpu_vram_gb, limits.vram_gb) };
}

/** With nothing configured: everything the caps allow, but half the RAM, for the next hour. */
function defaultSlot(
  nowMs: number,
  ramGb: number,
  limits: MachineLimits,
  algorithms: AlgorithmCapability[],
): AvailabilitySlot {
  return {
    slot_id: 'default',
    start_time: iso(nowMs),
    end_time: iso(nowMs + DEFAULT_SLOT_MS),
    resources: capped({ cpu_cores: limits.cores, ram_gb: ramGb / 2, gpu_vram_gb: limits.vram_gb }, limits),
    algorithms: [...algorithms],
    priority: 1,
  };
}

function oneOffSlot(
  slot: AvailabilitySlot,
  limits: MachineLimits,
  algorithms: AlgorithmCapability[],
): AvailabilitySlot {
  return {
    ...slot,
    resources: capped(slot.resources, limits),
    // What the machine runs now, whatever list the slot was journaled with: that list is a
    // snapshot gone stale (an older node's slots.add wrote one without Blender, at score 1).
    algorithms: [...algorithms],
  };
}

/** A window's occurrence as a slot; its id names the occurrence, so it stays the same all through it. */
function windowSlot(
  occurrence: Occurrence,
  limits: MachineLimits,
  algorithms: AlgorithmCapability[],
): AvailabilitySlot {
  const { window } = occurrence;
  const start = iso(occurrence.startMs);
  const wanted = {
    cpu_cores: window.cpu_cores ?? limits.cores,
    ram_gb: window.ram_gb ?? limits.ram_gb,
    gpu_vram_gb: window.gpu_vram_gb ?? limits.vram_gb,
  };
  return {
    slot_id: `${window.window_id}@${start}`,
    start_time: start,
    end_time: iso(occurrence.endMs),
    resources: capped(wanted, limits),
    algorithms: [...algorithms],
    priority: 1,
  };
}

function bySlotOrder(a: AvailabilitySlot, b: AvailabilitySlot): number {
  const byStart = Date.parse(a.start_time) - Date.parse(b.start_time);
  if (byStart !== 0) return byStart;
  return a.slot_id < b.slot_id ? -1 : a.slot_id > b.slot_id ? 1 : 0;
}

/** "outside the availability windows; the next opens Mon 22:00" (a window or a one-off slot). */
function outsideMessage(input: CheckedInput): string {
  const { nowMs, utcOffsetMinutes } = input;
  const comingOneOffs = input.oneOffs.map((slot) => Date.parse(slot.start_time)).filter((startMs) => startMs > nowMs);
  const nextWindow = nextWindowStart(input.windows, nowMs, utcOffsetMinutes);
  const next = Math.min(...comingOneOffs, nextWindow ?? Infinity);
  if (next === Infinity) return 'outside the availability windows; none is coming up';
  return `outside the availability windows; the next opens ${describeInstant(utcOffsetMinutes, next, nowMs)}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
