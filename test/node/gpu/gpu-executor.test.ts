// The GPU executor against a stand-in runner page (a fake channel): every way a page can fail a
// unit ends that unit with its typed error and restarts the runner, and the scene is sent again
// when the page asks for it. The real page is tested in gpu-runner.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunnerRequest } from '../../../src-main/core/gpu/index.js';
import type { RunnerChannel } from '../../../src-main/node/gpu/channel.js';
import { GpuError, GpuExecutor } from '../../../src-main/node/gpu/gpu-executor.js';
import { ADAPTER, LIMITS } from './fake-adapter.js';

const PARAMS = { frame: 0, width: 8, height: 8, x: 0, y: 0, w: 2, h: 2, spp: 1, seed: 0 };

/** A channel whose render replies come from `answer`; counts restarts and the scenes it was sent. */
function fakeChannel(
  answer: (request: Extract<RunnerRequest, { op: 'render' }>, sent: number) => unknown,
): RunnerChannel & { restarts: number; scenesSent: number } {
  let sent = 0;
  const channel = {
    kind: 'chromium' as const,
    restarts: 0,
    scenesSent: 0,
    async send(request: RunnerRequest) {
      if (request.op === 'probe') return { id: request.id, ok: true, adapter: ADAPTER, limits: LIMITS };
      if (request.op !== 'render') throw new Error('not used here');
      if (request.scene) channel.scenesSent++;
      return answer(request, sent++);
    },
    async restart() {
      channel.restarts++;
    },
    async close() {},
  };
  return channel;
}

const tile = (id: number) => ({ id, ok: true, output: new Uint8Array(16), gpu_ms: 1 });
const scene = new Uint8Array([1, 2, 3]);

test('a scene is sent once, and again when the page says it no longer has it', async () => {
  const channel = fakeChannel((r, n) => (n === 1 ? { id: r.id, ok: false, need_scene: true } : tile(r.id)));
  const gpu = await GpuExecutor.open(channel);
  await gpu.renderTile('s', scene, PARAMS, { timeoutMs: 1000 });
  await gpu.renderTile('s', scene, PARAMS, { timeoutMs: 1000 });
  assert.equal(channel.scenesSent, 2);
  await gpu.renderTile('s', scene, PARAMS, { timeoutMs: 1000 });
  assert.equal(channel.scenesSent, 2);
});

test('nonsense, a lost device, a dead page and silence each end the unit typed, with a restart', async () => {
  const cases: [string, (r: { id: number }) => unknown, string][] = [
    ['nonsense', () => ({ hello: 'world' }), 'runner_failed'],
    ['wrong id', (r) => tile(r.id + 1), 'runner_failed'],
    ['device lost', (r) => ({ id: r.id, ok: false, error: { code: 'device_lost', message: 'gone' } }), 'device_lost'],
    ['page died', () => Promise.reject(new Error('Target closed')), 'runner_failed'],
    ['silence', () => new Promise(() => {}), 'timeout'],
  ];
  for (const [name, reply, code] of cases) {
    const channel = fakeChannel(reply);
    const gpu = await GpuExecutor.open(channel);
    await assert.rejects(
      gpu.renderTile('s', scene, PARAMS, { timeoutMs: 200 }),
      (err: GpuError) => err.code === code,
      name,
    );
    assert.equal(channel.restarts, 1, name);
  }
});

test('a unit error of the page is passed on without a restart; an output of the wrong size is refused', async () => {
  const refused = fakeChannel((r) => ({ id: r.id, ok: false, error: { code: 'bad_params', message: 'spp must be…' } }));
  const gpu = await GpuExecutor.open(refused);
  await assert.rejects(
    gpu.renderTile('s', scene, PARAMS, { timeoutMs: 1000 }),
    (err: GpuError) => err.code === 'bad_params',
  );
  assert.equal(refused.restarts, 0);
  const short = await GpuExecutor.open(
    fakeChannel((r) => ({ id: r.id, ok: true, output: new Uint8Array(3), gpu_ms: 1 })),
  );
  await assert.rejects(
    short.renderTile('s', scene, PARAMS, { timeoutMs: 1000 }),
    (err: GpuError) => err.code === 'runner_failed' && /3 bytes/.test(err.message),
  );
});
