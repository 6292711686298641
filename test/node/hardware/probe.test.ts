// The hardware probe on this very machine (a VM without GPU or battery), the fingerprint that
// decides when to calibrate again, and the power override used by tests and demos.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HardwareInfoSchema, type HardwareInfo } from '../../../src-main/core/schemas/hardware.js';
import { hardwareFingerprint, probeHardware } from '../../../src-main/node/hardware/probe.js';
import { readPower } from '../../../src-main/node/hardware/power.js';
import { probeHardwareInThread } from '../../../src-main/node/hardware/probe-thread.js';
import { timeBoxed } from '../../../src-main/node/hardware/time-box.js';

test('probeHardware describes this machine with a valid HardwareInfo', async () => {
  const started = performance.now();
  const info = await probeHardware();
  const tookMs = performance.now() - started;
  assert.deepEqual(HardwareInfoSchema.parse(info), info);
  assert.ok(info.cpu.threads >= 1, `threads ${info.cpu.threads}`);
  assert.ok(
    info.cpu.cores >= 1 && info.cpu.cores <= info.cpu.threads,
    `cores ${info.cpu.cores} of ${info.cpu.threads} threads`,
  );
  assert.ok(info.ram_gb > 0, `ram ${info.ram_gb}`);
  assert.notEqual(info.cpu.model, '');
  assert.equal(info.os.platform, process.platform);
  assert.equal(info.os.arch, process.arch);
  // Graphics is time-boxed to 3 s and the rest are quick; a probe must never hold up a start for long.
  assert.ok(tookMs < 6_000, `probe took ${tookMs} ms`);
});

test('the fingerprint is the same across two probes of the same machine', async () => {
  const [first, second] = [await probeHardware(), await probeHardware()];
  assert.match(hardwareFingerprint(first), /^[0-9a-f]{64}$/);
  assert.equal(hardwareFingerprint(first), hardwareFingerprint(second));
});

test('the probe in its own thread (the node’s) describes the same machine as on the main thread', async () => {
  const [inThread, here] = [await probeHardwareInThread(), await probeHardware()];
  assert.deepEqual(HardwareInfoSchema.parse(inThread), inThread);
  assert.equal(hardwareFingerprint(inThread), hardwareFingerprint(here));
});

const machine: HardwareInfo = {
  cpu: { model: 'AMD Ryzen 9 7950X', vendor: 'AMD', cores: 16, threads: 32, speed_ghz: 4.5 },
  ram_gb: 62.7,
  gpus: [
    { model: 'GeForce RTX 4090', vendor: 'NVIDIA', vram_gb: 24 },
    { model: 'Radeon Graphics', vendor: 'AMD', vram_gb: null },
  ],
  os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
  power: { has_battery: false, on_battery: false, percent: null },
};

test('the fingerprint ignores power, OS, clock speed, GPU order and RAM below a GiB', () => {
  const power = fc.record({
    has_battery: fc.boolean(),
    on_battery: fc.boolean(),
    percent: fc.option(fc.integer({ min: 0, max: 100 })),
  });
  fc.assert(
    fc.property(
      power,
      fc.double({ min: 0, max: 6, noNaN: true }),
      fc.string({ maxLength: 20 }),
      fc.double({ min: -0.4, max: 0.4, noNaN: true }),
      (p, ghz, release, ramDrift) => {
        const same: HardwareInfo = {
          ...machine,
          cpu: { ...machine.cpu, speed_ghz: ghz },
          ram_gb: 63 + ramDrift,
          gpus: [...machine.gpus].reverse(),
          os: { ...machine.os, release },
          power: p,
        };
        assert.equal(hardwareFingerprint(same), hardwareFingerprint(machine));
      },
    ),
  );
});

test('the fingerprint changes with the CPU, thread count, RAM size or a GPU', () => {
  const base = hardwareFingerprint(machine);
  const changed: HardwareInfo[] = [
    { ...machine, cpu: { ...machine.cpu, model: 'AMD Ryzen 9 9950X' } },
    { ...machine, cpu: { ...machine.cpu, threads: 16 } },
    { ...machine, ram_gb: 128 },
    { ...machine, gpus: machine.gpus.slice(1) },
    { ...machine, gpus: [{ ...machine.gpus[0]!, vram_gb: 12 }, machine.gpus[1]!] },
  ];
  const prints = changed.map(hardwareFingerprint);
  for (const print of prints) assert.notEqual(print, base);
  assert.equal(new Set(prints).size, prints.length);
});

test('MESH_POWER_OVERRIDE makes the machine read as on battery or on AC', async () => {
  const onBattery = await readPower({ MESH_POWER_OVERRIDE: 'battery' });
  assert.equal(onBattery.on_battery, true);
  assert.equal(onBattery.has_battery, true);
  assert.equal((await readPower({ MESH_POWER_OVERRIDE: 'ac' })).on_battery, false);

  // Without the override, the real state: a machine without a battery (this VM) is on AC.
  const real = await readPower({});
  if (!real.has_battery) assert.deepEqual(real, { has_battery: false, on_battery: false, percent: null });
  assert.deepEqual(await readPower({ MESH_POWER_OVERRIDE: 'solar' }), real);

  // The probe reads the process's environment on each call.
  process.env.MESH_POWER_OVERRIDE = 'battery';
  try {
    assert.equal((await probeHardware()).power.on_battery, true);
  } finally {
    delete process.env.MESH_POWER_OVERRIDE;
  }
  assert.equal((await probeHardware()).power.on_battery, real.on_battery);
});

test('HardwareInfoSchema refuses unknown keys, overlong text and impossible numbers', () => {
  assert.equal(HardwareInfoSchema.safeParse(machine).success, true);
  const bad: unknown[] = [
    { ...machine, serial: 'x' },
    { ...machine, cpu: { ...machine.cpu, model: 'x'.repeat(129) } },
    { ...machine, cpu: { ...machine.cpu, threads: 0 } },
    { ...machine, ram_gb: -1 },
    { ...machine, gpus: Array.from({ length: 17 }, () => machine.gpus[0]) },
    { ...machine, power: { ...machine.power, percent: 101 } },
  ];
  for (const value of bad)
    assert.equal(HardwareInfoSchema.safeParse(value).success, false, JSON.stringify(value).slice(0, 120));
});

test('a probe call that hangs, rejects or throws gives its fallback, and a quick one its value', async () => {
  const started = performance.now();
  assert.equal(await timeBoxed(() => new Promise<string>(() => {}), 50, 'fallback'), 'fallback');
  assert.ok(performance.now() - started < 1_000);
  assert.equal(await timeBoxed(() => Promise.reject(new Error('no lspci')), 1_000, 'fallback'), 'fallback');
  assert.equal(
    await timeBoxed(
      () => {
        throw new Error('sync');
      },
      1_000,
      'fallback',
    ),
    'fallback',
  );
  assert.equal(await timeBoxed(async () => 'value', 1_000, 'fallback'), 'value');
});
