import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  currentAvailability,
  DEFAULT_SHARING_SETTINGS,
  USER_IDLE_SECONDS,
} from '../../../src-main/core/availability/index.js';
import type { AvailabilitySlot } from '../../../src-main/core/schemas/index.js';
import { ALGORITHMS, at, HOUR, input, iso, window } from './fixtures.js';

function oneOff(
  slot_id: string,
  start: number,
  end: number,
  resources = { cpu_cores: 4, ram_gb: 8 },
): AvailabilitySlot {
  return { slot_id, start_time: iso(start), end_time: iso(end), resources, algorithms: [], priority: 0.5 };
}

const tuesdayMorning = oneOff('tue-am', at('Tue', '10:00'), at('Tue', '12:00'));

test('with nothing configured, the default slot offers every thread and half the RAM for the next hour', () => {
  const nowMs = at('Tue', '12:00');
  const { slots, paused } = currentAvailability(input({ nowMs, machine: { threads: 6, ram_gb: 16 } }));
  assert.equal(paused, null);
  assert.deepEqual(slots, [
    {
      slot_id: 'default',
      start_time: iso(nowMs),
      end_time: iso(nowMs + HOUR),
      resources: { cpu_cores: 6, ram_gb: 8 },
      algorithms: ALGORITHMS,
      priority: 1,
    },
  ]);
});

test("a one-off slot journaled with a list (an older slots.add's) offers what the machine runs now", () => {
  const blender = { algorithm_id: 'blender-cycles/3.4', version: '1', supported: true, performance_score: 0.7 };
  const stale = { ...tuesdayMorning, algorithms: [{ ...ALGORITHMS[0]!, performance_score: 1 }] };
  const now = [...ALGORITHMS.map((a) => ({ ...a, performance_score: 0.9 })), blender];
  const { slots } = currentAvailability(input({ nowMs: at('Tue', '11:00'), oneOffs: [stale], algorithms: now }));
  assert.deepEqual(slots[0]!.algorithms, now, 'Blender offered, at the calibrated score');
});

test('a one-off slot is offered while it is in force, with the node algorithms when it lists none', () => {
  const during = currentAvailability(input({ nowMs: at('Tue', '11:00'), oneOffs: [tuesdayMorning] }));
  assert.equal(during.paused, null);
  assert.deepEqual(during.slots, [{ ...tuesdayMorning, algorithms: ALGORITHMS }]);
});

test('before a one-off slot nothing is offered and the message says when it opens; after it, nothing is coming', () => {
  const before = currentAvailability(input({ nowMs: at('Tue', '09:00'), oneOffs: [tuesdayMorning] }));
  assert.deepEqual(before.slots, []);
  assert.deepEqual(before.paused, {
    reason: 'outside_windows',
    message: 'outside the availability windows; the next opens Tue 10:00',
  });
  const after = currentAvailability(input({ nowMs: at('Tue', '12:00'), oneOffs: [tuesdayMorning] }));
  assert.deepEqual(after.slots, []);
  assert.equal(after.paused?.message, 'outside the availability windows; none is coming up');
});

test('a one-off slot more than a week ahead is named with its date', () => {
  const later = oneOff('later', at('Tue', '10:00') + 14 * 24 * HOUR, at('Tue', '12:00') + 14 * 24 * HOUR);
  const { paused } = currentAvailability(input({ nowMs: at('Tue', '09:00'), oneOffs: [later] }));
  assert.equal(paused?.message, 'outside the availability windows; the next opens Tue 2025-01-21 10:00');
});

test('switched off, a node offers nothing, even inside its windows', () => {
  const { slots, paused } = currentAvailability(
    input({ sharing: false, nowMs: at('Tue', '11:00'), oneOffs: [tuesdayMorning] }),
  );
  assert.deepEqual(slots, []);
  assert.equal(paused?.reason, 'sharing_off');
});

test('on battery it pauses by default; not when pause_on_battery is off, nor when the power state is unknown', () => {
  const onBattery = currentAvailability(input({ power: { on_battery: true } }));
  assert.deepEqual(onBattery.slots, []);
  assert.equal(onBattery.paused?.reason, 'on_battery');
  const allowed = currentAvailability(
    input({ power: { on_battery: true }, settings: { ...DEFAULT_SHARING_SETTINGS, pause_on_battery: false } }),
  );
  assert.equal(allowed.slots.length, 1);
  assert.equal(currentAvailability(input({ power: null })).slots.length, 1);
});

test('idle_only pauses while other programs use more CPU than the threshold; an unmeasured load counts as idle', () => {
  const idleOnly = { ...DEFAULT_SHARING_SETTINGS, idle_only: true, idle_threshold_pct: 25 };
  const busy = currentAvailability(input({ settings: idleOnly, otherLoadPct: 30 }));
  assert.deepEqual(busy.slots, []);
  assert.equal(busy.paused?.reason, 'busy');
  assert.match(busy.paused?.message ?? '', /30% of the CPU \(more than 25%\)/);
  assert.equal(currentAvailability(input({ settings: idleOnly, otherLoadPct: 25 })).slots.length, 1);
  assert.equal(currentAvailability(input({ settings: idleOnly, otherLoadPct: null })).slots.length, 1);
  assert.equal(currentAvailability(input({ otherLoadPct: 95 })).slots.length, 1, 'idle_only is off by default');
});

test('idle_only also waits for the person to step away, where the desktop app reports their idle time', () => {
  const idleOnly = { ...DEFAULT_SHARING_SETTINGS, idle_only: true };
  const typing = currentAvailability(input({ settings: idleOnly, otherLoadPct: 0, userIdleSeconds: 5 }));
  assert.deepEqual(typing.slots, []);
  assert.equal(typing.paused?.reason, 'busy');
  assert.match(typing.paused?.message ?? '', /while you use the computer/);
  assert.equal(
    currentAvailability(input({ settings: idleOnly, otherLoadPct: 0, userIdleSeconds: USER_IDLE_SECONDS })).slots
      .length,
    1,
  );
  assert.equal(
    currentAvailability(input({ settings: idleOnly, otherLoadPct: 0, userIdleSeconds: null })).slots.length,
    1,
    'a headless node has no such signal',
  );
  assert.equal(
    currentAvailability(input({ otherLoadPct: 0, userIdleSeconds: 5 })).slots.length,
    1,
    'ignored unless idle_only',
  );
});

test('the master switch is checked first, then the battery, then the load', () => {
  const everything = {
    sharing: false,
    power: { on_battery: true },
    otherLoadPct: 99,
    settings: { ...DEFAULT_SHARING_SETTINGS, idle_only: true },
  };
  assert.equal(currentAvailability(input(everything)).paused?.reason, 'sharing_off');
  assert.equal(currentAvailability(input({ ...everything, sharing: true })).paused?.reason, 'on_battery');
  assert.equal(currentAvailability(input({ ...everything, sharing: true, power: null })).paused?.reason, 'busy');
});

test('the CPU cap rounds down but always leaves at least one core', () => {
  const cores = (threads: number, cpu_cap_pct: number) =>
    currentAvailability(
      input({ machine: { threads, ram_gb: 16 }, settings: { ...DEFAULT_SHARING_SETTINGS, cpu_cap_pct } }),
    ).slots[0]?.resources.cpu_cores;
  assert.equal(cores(2, 50), 1);
  assert.equal(cores(2, 10), 1);
  assert.equal(cores(8, 50), 4);
  assert.equal(cores(8, 99), 7);
  assert.equal(cores(16, 100), 16);
});

test('window and one-off caps are cut to the CPU cap and the machine; VRAM is offered only by a machine with some', () => {
  const nowMs = at('Tue', '23:00');
  const settings = { ...DEFAULT_SHARING_SETTINGS, cpu_cap_pct: 50 };
  const windows = [
    window({ cpu_cores: 6, ram_gb: 64, gpu_vram_gb: 12 }),
    window({ window_id: 'small', cpu_cores: 2, ram_gb: 4 }),
  ];
  const big = oneOff('big', nowMs - HOUR, nowMs + HOUR, {
    cpu_cores: 32,
    ram_gb: 128,
    gpu_vram_gb: 24,
  } as AvailabilitySlot['resources']);
  const withGpu = currentAvailability(
    input({ nowMs, windows, oneOffs: [big], settings, machine: { threads: 8, ram_gb: 16, vram_gb: 8 } }),
  );
  const resources = Object.fromEntries(withGpu.slots.map((s) => [s.slot_id.split('@')[0], s.resources]));
  assert.deepEqual(resources, {
    night: { cpu_cores: 4, ram_gb: 16, gpu_vram_gb: 8 },
    small: { cpu_cores: 2, ram_gb: 4, gpu_vram_gb: 8 }, // no VRAM cap: the machine's
    big: { cpu_cores: 4, ram_gb: 16, gpu_vram_gb: 8 },
  });
  const noGpu = currentAvailability(
    input({ nowMs, windows, oneOffs: [big], settings, machine: { threads: 8, ram_gb: 16 } }),
  );
  assert.ok(noGpu.slots.every((s) => s.resources.gpu_vram_gb === undefined && !('gpu_vram_gb' in s.resources)));
});

test('slots come in a fixed order (start, then id), whatever order the settings list them in', () => {
  const nowMs = at('Tue', '23:00');
  const windows = [
    window({ window_id: 'b-night' }),
    window({ window_id: 'a-night' }),
    window({ window_id: 'late', start: '22:30' }),
  ];
  const oneOffs = [oneOff('early', nowMs - 3 * HOUR, nowMs + HOUR), oneOff('z-same', at('Tue', '22:00'), nowMs + HOUR)];
  const forward = currentAvailability(input({ nowMs, windows, oneOffs })).slots.map((s) => s.slot_id);
  const reversed = currentAvailability(
    input({ nowMs, windows: [...windows].reverse(), oneOffs: [...oneOffs].reverse() }),
  ).slots.map((s) => s.slot_id);
  assert.deepEqual(forward, [
    'early',
    `a-night@${iso(at('Tue', '22:00'))}`,
    `b-night@${iso(at('Tue', '22:00'))}`,
    'z-same',
    `late@${iso(at('Tue', '22:30'))}`,
  ]);
  assert.deepEqual(reversed, forward);
});

test('no more slots than a commitment carries: the earliest 64', () => {
  const nowMs = at('Tue', '23:00');
  const oneOffs = Array.from({ length: 70 }, (_, i) =>
    oneOff(`s${String(i).padStart(2, '0')}`, nowMs - (i + 1) * 60_000, nowMs + HOUR),
  );
  const { slots } = currentAvailability(input({ nowMs, oneOffs }));
  assert.equal(slots.length, 64);
  assert.equal(slots[0]!.slot_id, 's69');
  assert.equal(slots.at(-1)!.slot_id, 's06');
});

test('bad input offers nothing and says why, instead of throwing', () => {
  const cases = [
    input({ nowMs: Number.NaN }),
    input({ machine: { threads: 0, ram_gb: 16 } }),
    input({ otherLoadPct: Number.POSITIVE_INFINITY }),
    input({ windows: [window({ start: '24:00' })] }),
    input({ windows: [window(), window()] }),
    input({ windows: [window()], utcOffsetMinutes: () => Number.NaN }),
    input({
      windows: [window()],
      utcOffsetMinutes: () => {
        throw new Error('no zone');
      },
    }),
  ];
  for (const bad of cases) {
    const result = currentAvailability(bad);
    assert.deepEqual(result.slots, []);
    assert.equal(result.paused?.reason, 'invalid_input');
    assert.ok((result.paused?.message.length ?? 0) > 0);
  }
  assert.match(currentAvailability(input({ windows: [window(), window()] })).paused?.message ?? '', /unique/);
});
