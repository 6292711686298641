// Calibration: a real run of the render kernel on every worker, the time estimates that come out
// of it, and the file that spares a node the run on every start.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CalibrationSchema, type Calibration, type HardwareInfo } from '../../../src-main/core/schemas/hardware.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import {
  calibrate,
  CALIBRATION_FILE,
  estimateSeconds,
  loadOrCalibrate,
  REFERENCE_FUEL_PER_SECOND,
} from '../../../src-main/node/hardware/calibrate.js';
import { hardwareFingerprint, probeHardware } from '../../../src-main/node/hardware/probe.js';

// Short runs: these tests check what calibration gives, not how precisely.
const QUICK = { durationMs: 100 };

let executor: Executor;
let hardware: HardwareInfo;
const dirs: string[] = [];

before(async () => {
  executor = Executor.start({ workers: 2 });
  hardware = await probeHardware();
});

after(async () => {
  await executor.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'calibration-'));
  dirs.push(dir);
  return dir;
}

test('calibration measures a positive fuel rate on all workers and scores it against the reference', async () => {
  const started = performance.now();
  const calibration = await calibrate(executor, { ...QUICK, hardware });
  const tookMs = performance.now() - started;
  assert.deepEqual(CalibrationSchema.parse(calibration), calibration);
  assert.ok(calibration.fuel_per_second > 0);
  assert.equal(calibration.workers, 2);
  assert.equal(calibration.fingerprint, hardwareFingerprint(hardware));
  assert.equal(calibration.performance_score, Math.min(1, calibration.fuel_per_second / REFERENCE_FUEL_PER_SECOND));
  assert.match(calibration.kernel_cid_or_version, /^b[a-z2-7]+$/); // the render module's CID (base32)
  // The first run also meters the kernel for this executor; after that, the duration and a short warm-up.
  assert.ok(tookMs < 5_000, `calibration took ${tookMs} ms`);
});

test('estimateSeconds is fuel over the calibrated rate', () => {
  const calibration: Calibration = {
    fingerprint: 'a'.repeat(64),
    kernel_cid_or_version: 'v1',
    fuel_per_second: 2e9,
    workers: 4,
    performance_score: 0.1,
    measured_at: '2025-01-01T00:00:00.000Z',
  };
  assert.equal(estimateSeconds(3e9, calibration), 1.5);
  assert.equal(estimateSeconds(0, calibration), 0);
});

test('the saved calibration is reused while the machine, worker count and kernel stay the same', async () => {
  const dir = dataDir();
  const first = await loadOrCalibrate(dir, hardware, executor, QUICK);
  assert.equal(first.fresh, true);
  const path = join(dir, CALIBRATION_FILE);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), first.calibration);

  const second = await loadOrCalibrate(dir, hardware, executor, QUICK);
  assert.equal(second.fresh, false);
  assert.deepEqual(second.calibration, first.calibration);
});

test('different hardware, a different worker count or another kernel calibrates again', async () => {
  const dir = dataDir();
  const first = await loadOrCalibrate(dir, hardware, executor, QUICK);

  // As if the file had been written by the previous build's kernel.
  writeFileSync(
    join(dir, CALIBRATION_FILE),
    JSON.stringify({ ...first.calibration, kernel_cid_or_version: 'bafkreiolderkernel' }),
  );
  const rebuilt = await loadOrCalibrate(dir, hardware, executor, QUICK);
  assert.equal(rebuilt.fresh, true);
  assert.equal(rebuilt.calibration.kernel_cid_or_version, first.calibration.kernel_cid_or_version);

  const upgraded: HardwareInfo = { ...hardware, ram_gb: hardware.ram_gb + 16 };
  const afterUpgrade = await loadOrCalibrate(dir, upgraded, executor, QUICK);
  assert.equal(afterUpgrade.fresh, true);
  assert.equal(afterUpgrade.calibration.fingerprint, hardwareFingerprint(upgraded));
  assert.notEqual(afterUpgrade.calibration.fingerprint, first.calibration.fingerprint);
  assert.equal((await loadOrCalibrate(dir, upgraded, executor, QUICK)).fresh, false);

  const oneWorker = Executor.start({ workers: 1 });
  try {
    const narrower = await loadOrCalibrate(dir, upgraded, oneWorker, QUICK);
    assert.equal(narrower.fresh, true);
    assert.equal(narrower.calibration.workers, 1);
  } finally {
    await oneWorker.close();
  }
});

test('a corrupt or foreign calibration.json is measured again and replaced', async () => {
  const dir = dataDir();
  const path = join(dir, CALIBRATION_FILE);
  const valid = (await loadOrCalibrate(dir, hardware, executor, QUICK)).calibration;
  const corrupt = [
    '{"fingerprint": "abc", trunc',
    JSON.stringify({ ...valid, fuel_per_second: -5 }),
    JSON.stringify({ ...valid, performance_score: 7 }),
    JSON.stringify({ ...valid, extra: true }),
  ];
  for (const text of corrupt) {
    writeFileSync(path, text, { mode: 0o644 });
    const result = await loadOrCalibrate(dir, hardware, executor, QUICK);
    assert.equal(result.fresh, true, `not recalibrated after ${JSON.stringify(text).slice(0, 60)}`);
    assert.deepEqual(CalibrationSchema.parse(JSON.parse(readFileSync(path, 'utf8'))), result.calibration);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  }
});
