// Render jobs across real nodes in child processes: frames byte-identical to render-local, offers
// taken by hand, sharing switched off mid-job (refusals: render-job-refusals.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { killAllChildren, meshctl, startMesh, stopChild, type ChildNode } from './child-nodes.js';
import { waitFor } from './cluster.js';

after(killAllChildren);

const MOVING = 'assets/scenes/orbit.json';
const SAMPLE = 'assets/scenes/sample.json';

/** The frame size, sampling and tiling the mesh job and its local reference share. */
const FRAME_FORMAT = { width: 320, height: 180, spp: 8, tile: 64 };
type FrameFormat = typeof FRAME_FORMAT;
const formatArgs = (format: FrameFormat) =>
  ['--width', format.width, '--height', format.height, '--spp', format.spp, '--tile', format.tile].map(String);

/**
 * `meshctl submit-job --render` arguments: frame 0 of SAMPLE in FRAME_FORMAT for a budget of 1000
 * unless told otherwise; the optional flags only when given.
 */
function submitArgs(options: {
  dataDir: string;
  scene?: string;
  frames?: string;
  format?: Partial<FrameFormat>;
  redundancy?: number;
  budget?: number;
  out?: string;
  manualAccept?: boolean;
  json?: boolean;
}): string[] {
  const { scene = SAMPLE, frames = '0', budget = 1000 } = options;
  return [
    'submit-job',
    '--render',
    scene,
    '--frames',
    frames,
    ...formatArgs({ ...FRAME_FORMAT, ...options.format }),
    ...(options.redundancy === undefined ? [] : ['--redundancy', String(options.redundancy)]),
    '--budget',
    String(budget),
    ...(options.out === undefined ? [] : ['--out', options.out]),
    ...(options.manualAccept === true ? ['--manual-accept'] : []),
    ...(options.json === true ? ['--json'] : []),
    '--data-dir',
    options.dataDir,
  ];
}

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `mesh-render-${name}-`));

test(
  'three nodes render 2 frames at 320×180 with redundancy 2; each PNG is byte-identical to render-local',
  { timeout: 180_000 },
  async () => {
    const nodes = await startMesh([{ workers: 1 }, { workers: 1 }, { workers: 1 }]);
    const [a] = nodes as [ChildNode, ChildNode, ChildNode];
    const out = tmp('out');
    const submitted = await meshctl(
      submitArgs({ scene: MOVING, frames: '0-1', redundancy: 2, out, dataDir: a.dataDir }),
    );
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.match(submitted.stdout, /submitted job job-[0-9a-f]+: 2 frames, 30 tiles/);
    for (const frame of [0, 1]) {
      const reference = join(out, `reference-${frame}.png`);
      const local = await meshctl([
        'render-local',
        MOVING,
        '--frame',
        String(frame),
        ...formatArgs(FRAME_FORMAT),
        '--out',
        reference,
      ]);
      assert.equal(local.code, 0, local.stderr);
      const mesh = readFileSync(join(out, `frame-000${frame}.png`));
      assert.ok(mesh.equals(readFileSync(reference)), `frame ${frame} from the mesh is byte-identical to render-local`);
    }
    assert.ok(
      !readFileSync(join(out, 'frame-0000.png')).equals(readFileSync(join(out, 'frame-0001.png'))),
      'the two frames differ (things move)',
    );

    // Every tile was computed by the two providers (never the requester), and both got paid.
    const jobId = /job-[0-9a-f]+/.exec(submitted.stdout)![0];
    const { units } = await a.api.call('jobs.status', { job_id: jobId, units: true });
    assert.equal(units!.length, 30);
    for (const u of units!) {
      assert.equal(u.status, 'verified');
      assert.equal(new Set(u.providers).size, 2);
      assert.ok(!u.providers.includes(a.peerId));
      assert.ok(u.estimated_fuel! > 0 && u.fuel! > 0);
    }
    const ledger = await a.api.call('ledger.get', { limit: 1000 });
    assert.ok(ledger.balance < 0, 'the requester paid');
    const fetched = tmp('fetch');
    const again = await meshctl(['results', 'fetch', '--job-id', jobId, '--out', fetched, '--data-dir', a.dataDir]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(readFileSync(join(fetched, 'frame-0001.png')).equals(readFileSync(join(out, 'frame-0001.png'))));
    await Promise.all(nodes.map((n) => stopChild(n)));
  },
);

test(
  'tiles too small to be worth a unit go n×n to one, the frame byte-identical to render-local in the tiles asked for; --exact-tiles keeps a unit a tile',
  { timeout: 180_000 },
  async () => {
    const nodes = await startMesh([{ workers: 1 }, { workers: 1 }]);
    const [a] = nodes as [ChildNode, ChildNode];
    const out = tmp('grouped');
    const small = { ...FRAME_FORMAT, spp: 4, tile: 16 }; // 240 tiles of a fraction of a millisecond
    const submitted = await meshctl(submitArgs({ format: small, out, dataDir: a.dataDir }));
    assert.equal(submitted.code, 0, submitted.stderr);
    const said =
      /submitted job (job-[0-9a-f]+): 1 frame, (\d+) tiles of (\d+) px \(16-px tiles would take under 15 ms each: --exact-tiles keeps them\)/.exec(
        submitted.stdout,
      );
    assert.ok(said, submitted.stdout);
    const [jobId, units, side] = [said[1]!, Number(said[2]), Number(said[3])];
    assert.ok(side > 16 && side % 16 === 0, `a square of whole tiles: ${side} px`);
    assert.equal(units, Math.ceil(320 / side) * Math.ceil(180 / side));
    assert.ok(units >= 32 && units < 240, `${units} units: grouped, but still 32 or more`);
    const reference = join(out, 'reference.png');
    const local = await meshctl(['render-local', SAMPLE, '--frame', '0', ...formatArgs(small), '--out', reference]);
    assert.equal(local.code, 0, local.stderr);
    assert.ok(
      readFileSync(join(out, 'frame-0000.png')).equals(readFileSync(reference)),
      'the same bytes as 16-px tiles',
    );
    assert.equal((await a.api.call('jobs.frames', { job_id: jobId })).tile, side);
    const status = await a.api.call('jobs.status', { job_id: jobId, units: true });
    assert.equal(status.units!.length, units);
    assert.ok(status.units!.every((u) => u.status === 'verified'));

    const exact = await meshctl([...submitArgs({ format: small, json: true, dataDir: a.dataDir }), '--exact-tiles']);
    assert.equal(exact.code, 0, exact.stderr);
    const reply = JSON.parse(exact.stdout) as { job_id: string; units: number; tile: number };
    assert.deepEqual([reply.units, reply.tile], [240, 16]);
    assert.equal((await meshctl(['job', 'cancel', reply.job_id, '--data-dir', a.dataDir])).code, 0);
    await Promise.all(nodes.map((n) => stopChild(n)));
  },
);

test(
  'manual acceptance: offers lists offers from both peers with price, estimate and reputation; offers accept starts that peer',
  { timeout: 120_000 },
  async () => {
    const nodes = await startMesh([{}, {}, {}]);
    const [a, b, c] = nodes as [ChildNode, ChildNode, ChildNode];
    const submitted = await meshctl(
      submitArgs({
        format: { width: 160, height: 90, spp: 4, tile: 32 },
        budget: 100,
        manualAccept: true,
        json: true,
        dataDir: a.dataDir,
      }),
    );
    assert.equal(submitted.code, 0, submitted.stderr);
    const { job_id } = JSON.parse(submitted.stdout) as { job_id: string };
    const offers = await waitFor(
      'offers from both peers',
      async () => {
        const listed = await meshctl(['offers', job_id, '--json', '--data-dir', a.dataDir]);
        const reply = JSON.parse(listed.stdout) as {
          offers: { provider: string; price: number; estimated_seconds: number; reputation: number }[];
        };
        return new Set(reply.offers.map((o) => o.provider)).size === 2 ? reply.offers : undefined;
      },
      30_000,
    );
    for (const offer of offers) {
      assert.ok([b.peerId, c.peerId].includes(offer.provider));
      assert.ok(
        offer.price > 0 && offer.estimated_seconds > 0 && offer.reputation >= 0 && offer.reputation <= 1,
        JSON.stringify(offer),
      );
    }
    const text = await meshctl(['offers', job_id, '--data-dir', a.dataDir]);
    assert.match(text.stdout, new RegExp(b.peerId));
    const accepted = await meshctl(['offers', 'accept', job_id, b.peerId, '--json', '--data-dir', a.dataDir]);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.ok((JSON.parse(accepted.stdout) as { accepted: number }).accepted > 0);
    await waitFor(
      'B to run the tiles',
      async () => {
        const { events } = await b.api.call('events.since', { after: 0, limit: 10_000 });
        return events.some((e) => e.type === 'unit.started' && e.data['job_id'] === job_id) || undefined;
      },
      30_000,
    );
    const { units } = await a.api.call('jobs.status', { job_id, units: true });
    assert.ok(
      units!.every((u) => !u.providers.includes(c.peerId)),
      'nothing went to the peer whose offers were not accepted',
    );
    await Promise.all(nodes.map((n) => stopChild(n)));
  },
);

test(
  'sharing off mid-job hands the running tiles back at once and the job completes elsewhere',
  { timeout: 180_000 },
  async () => {
    const nodes = await startMesh([{ workers: 1 }, { workers: 1 }, { workers: 1 }]);
    const [a, b, c] = nodes as [ChildNode, ChildNode, ChildNode];
    // C waits, so B surely holds tiles when it is switched off.
    await c.api.call('sharing.set', { on: false });
    const submitted = await meshctl(submitArgs({ format: { spp: 32 }, json: true, dataDir: a.dataDir }));
    assert.equal(submitted.code, 0, submitted.stderr);
    const { job_id } = JSON.parse(submitted.stdout) as { job_id: string };
    await waitFor(
      'B to be running a tile',
      async () => ((await b.api.call('status', {})).units_running > 0 ? true : undefined),
      30_000,
    );
    const off = Date.now();
    await b.api.call('sharing.set', { on: false });
    const status = await b.api.call('status', {});
    assert.equal(
      status.units_running + status.units_queued,
      0,
      'nothing is left running or queued on B once sharing is off',
    );
    await c.api.call('sharing.set', { on: true });
    const done = await waitFor(
      'the job to complete on C',
      async () => {
        const { job } = await a.api.call('jobs.status', { job_id });
        return job.state === 'running' ? undefined : job;
      },
      120_000,
    );
    assert.equal(done.state, 'completed');
    const released = (await a.api.call('events.since', { after: 0, limit: 10_000 })).events.filter(
      (e) => e.type === 'unit.reoffered',
    );
    assert.ok(released.length > 0, 'B handed tiles back');
    const { frames } = await a.api.call('jobs.frames', { job_id });
    assert.ok(
      frames[0]!.png_cid !== null,
      `the frame is assembled once the job is completed (${Date.now() - off} ms after sharing went off)`,
    );
    await Promise.all(nodes.map((n) => stopChild(n)));
  },
);
