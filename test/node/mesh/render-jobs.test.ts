// Render jobs across real nodes in child processes: frames byte-identical to render-local, bids
// taken by hand, sharing switched off mid-job, and bad scenes refused with nothing journaled.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { Journal } from '../../../src-main/node/journal/index.js';
import { killAllChildren, MESHCTL, meshAll, startChild, stopChild } from './child-nodes.js';
import { waitFor } from './cluster.js';

after(killAllChildren);

const run = promisify(execFile);
const NODE = './node_modules/.bin/node';
const MOVING = 'assets/scenes/orbit.json';
const SAMPLE = 'assets/scenes/sample.json';

/** meshctl, as a user runs it: exit code, stdout and stderr. */
async function meshctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(NODE, [MESHCTL, ...args], { maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `mesh-render-${name}-`));

test(
  'three nodes render 2 frames at 320×180 with redundancy 2; each PNG is byte-identical to render-local',
  { timeout: 180_000 },
  async () => {
    const nodes = await Promise.all([
      startChild({ workers: 1 }),
      startChild({ workers: 1 }),
      startChild({ workers: 1 }),
    ]);
    const [a] = nodes;
    await meshAll(nodes);
    const out = tmp('out');
    const submitted = await meshctl([
      'submit-job',
      '--render',
      MOVING,
      '--frames',
      '0-1',
      '--width',
      '320',
      '--height',
      '180',
      '--spp',
      '8',
      '--tile',
      '64',
      '--redundancy',
      '2',
      '--budget',
      '1000',
      '--out',
      out,
      '--data-dir',
      a.dataDir,
    ]);
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.match(submitted.stdout, /submitted job job-[0-9a-f]+: 2 frames, 30 tiles/);
    for (const frame of [0, 1]) {
      const reference = join(out, `reference-${frame}.png`);
      const local = await meshctl([
        'render-local',
        MOVING,
        '--frame',
        String(frame),
        '--width',
        '320',
        '--height',
        '180',
        '--spp',
        '8',
        '--tile',
        '64',
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
  'manual acceptance: get-bids lists bids from both peers with price, estimate and reputation; accept-bid starts that peer',
  { timeout: 120_000 },
  async () => {
    const nodes = await Promise.all([startChild(), startChild(), startChild()]);
    const [a, b, c] = nodes;
    await meshAll(nodes);
    const submitted = await meshctl([
      'submit-job',
      '--render',
      SAMPLE,
      '--frames',
      '0',
      '--width',
      '160',
      '--height',
      '90',
      '--spp',
      '4',
      '--tile',
      '32',
      '--budget',
      '100',
      '--manual-accept',
      '--json',
      '--data-dir',
      a.dataDir,
    ]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { job_id } = JSON.parse(submitted.stdout) as { job_id: string };
    const bids = await waitFor(
      'bids from both peers',
      async () => {
        const listed = await meshctl(['get-bids', '--job-id', job_id, '--json', '--data-dir', a.dataDir]);
        const { bids: listedBids } = JSON.parse(listed.stdout) as {
          bids: { provider: string; price: number; estimated_seconds: number; reputation: number }[];
        };
        return new Set(listedBids.map((x) => x.provider)).size === 2 ? listedBids : undefined;
      },
      30_000,
    );
    for (const bid of bids) {
      assert.ok([b.peerId, c.peerId].includes(bid.provider));
      assert.ok(
        bid.price > 0 && bid.estimated_seconds > 0 && bid.reputation >= 0 && bid.reputation <= 1,
        JSON.stringify(bid),
      );
    }
    const text = await meshctl(['get-bids', '--job-id', job_id, '--data-dir', a.dataDir]);
    assert.match(text.stdout, new RegExp(b.peerId));
    const accepted = await meshctl([
      'accept-bid',
      '--job-id',
      job_id,
      '--node-id',
      b.peerId,
      '--json',
      '--data-dir',
      a.dataDir,
    ]);
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
      'nothing went to the peer whose bids were not accepted',
    );
    await Promise.all(nodes.map((n) => stopChild(n)));
  },
);

test(
  'sharing off mid-job hands the running tiles back at once and the job completes elsewhere',
  { timeout: 180_000 },
  async () => {
    const nodes = await Promise.all([
      startChild({ workers: 1 }),
      startChild({ workers: 1 }),
      startChild({ workers: 1 }),
    ]);
    const [a, b, c] = nodes;
    await meshAll(nodes);
    // C waits, so B surely holds tiles when it is switched off.
    await c.api.call('sharing.set', { on: false });
    const submitted = await meshctl([
      'submit-job',
      '--render',
      SAMPLE,
      '--frames',
      '0',
      '--width',
      '320',
      '--height',
      '180',
      '--spp',
      '32',
      '--tile',
      '64',
      '--budget',
      '1000',
      '--json',
      '--data-dir',
      a.dataDir,
    ]);
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

test(
  'bad scenes and frame ranges get a clear error at submission and nothing is journaled',
  { timeout: 120_000 },
  async () => {
    const a = await startChild();
    const dir = tmp('bad');
    const scene = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown> & {
      meshes: unknown[];
      spheres: { material: string }[];
    };
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const tooMany = {
      vertices: [
        [0, 0, 0],
        [1, 0, 0],
        [0, 1, 0],
      ],
      faces: Array.from({ length: 200_001 }, () => [0, 1, 2]),
      material: 'red',
    };
    const cases: [string, string[], RegExp][] = [
      ['malformed JSON', [write('broken.json', '{"camera": {')], /not JSON/i],
      [
        'an unknown material',
        [
          write(
            'unknown.json',
            JSON.stringify({ ...scene, spheres: [{ ...scene.spheres[0], material: 'unobtainium' }] }),
          ),
        ],
        /unknown material "unobtainium"/,
      ],
      [
        'a 10⁹-triangle claim',
        [write('huge.json', JSON.stringify({ ...scene, meshes: [tooMany] }))],
        /triangles|at most/i,
      ],
      [
        'an OBJ with bad indices',
        [write('bad-obj.json', JSON.stringify({ ...scene, meshes: [{ obj: 'bad.obj', material: 'red' }] }))],
        /bad\.obj.*vertex/i,
      ],
      ['frames out of range', [SAMPLE, '--frames', '5-2'], /--frames/],
      ['a frame past the last', [SAMPLE, '--frames', '2000000'], /--frames/],
    ];
    write('bad.obj', 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 99\n');
    for (const [what, [file, ...extra], message] of cases) {
      const result = await meshctl([
        'submit-job',
        '--render',
        file!,
        ...extra,
        '--budget',
        '10',
        '--data-dir',
        a.dataDir,
      ]);
      assert.equal(result.code, 1, `${what}: exit status 1`);
      assert.match(result.stderr, /^meshctl: /, what);
      assert.match(result.stderr, message, what);
    }
    // The API refuses the same without the CLI's help, with the offending path named.
    await assert.rejects(
      a.api.call('render.submit', {
        scene: { ...scene, spheres: [{ ...scene.spheres[0], material: 'unobtainium' }] } as never,
        first_frame: 0,
        last_frame: 0,
        width: 64,
        height: 64,
        spp: 1,
        budget: 10,
      }),
      /spheres\.0\.material: unknown material/,
    );
    await assert.rejects(
      a.api.call('render.submit', {
        scene: scene as never,
        first_frame: 3,
        last_frame: 1,
        width: 64,
        height: 64,
        spp: 1,
        budget: 10,
      }),
      /last frame comes before the first/,
    );
    assert.equal((await a.api.call('jobs.list', {})).jobs.length, 0);
    await stopChild(a);
    const opened = Journal.open(join(a.dataDir, 'journal.sqlite'));
    assert.ok(opened.ok);
    const kinds = [...opened.journal.events()].map((e) => e.type);
    opened.journal.close();
    assert.ok(
      !kinds.includes('job.submitted') && !kinds.includes('unit.created'),
      `nothing about a job was journaled: ${[...new Set(kinds)].join(', ')}`,
    );
  },
);

test(
  'a node outside its slots, or on battery with "pause on battery", gets no units; one in its slot does',
  { timeout: 120_000 },
  async () => {
    const nodes = await Promise.all([
      startChild(),
      startChild({ env: { MESH_POWER_OVERRIDE: 'battery' } }),
      startChild(),
      startChild(),
    ]);
    const [a, onBattery, outside, open] = nodes;
    await meshAll(nodes);
    const day = 24 * 3600_000;
    await outside.api.call('slots.add', {
      start_time: new Date(Date.now() + day).toISOString(),
      end_time: new Date(Date.now() + day + 3600_000).toISOString(),
      cpu_cores: 1,
      ram_gb: 1,
    });
    const paused = await waitFor(
      'both to say why they offer nothing',
      async () => {
        const [battery, slot] = await Promise.all([onBattery.api.call('status', {}), outside.api.call('status', {})]);
        return battery.availability.paused?.reason === 'on_battery' &&
          slot.availability.paused?.reason === 'outside_windows'
          ? [battery, slot]
          : undefined;
      },
      20_000,
    );
    assert.equal(paused[0]!.hardware?.power.on_battery, true);
    assert.equal(paused[0]!.availability.offering, false);

    const submitted = await a.api.call('render.submit', {
      scene: JSON.parse(readFileSync(SAMPLE, 'utf8')),
      first_frame: 0,
      last_frame: 0,
      width: 96,
      height: 64,
      spp: 2,
      tile: 32,
      budget: 100_000,
      manual_accept: true,
    });
    await waitFor(
      'bids from the node in its slot',
      async () =>
        (await a.api.call('bids.list', { job_id: submitted.job_id })).bids.some((b) => b.provider === open.peerId)
          ? true
          : undefined,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000)); // more than one commitment heartbeat for the others to bid, if they would
    const bidders = new Set((await a.api.call('bids.list', { job_id: submitted.job_id })).bids.map((b) => b.provider));
    assert.deepEqual([...bidders], [open.peerId], 'only the node in its slot and on mains power bid');
    await a.api.call('bids.accept', { job_id: submitted.job_id, node_id: open.peerId });
    const done = await waitFor(
      'the job to complete',
      async () => {
        const { job } = await a.api.call('jobs.status', { job_id: submitted.job_id });
        return job.state === 'running' ? undefined : job;
      },
      60_000,
    );
    assert.equal(done.state, 'completed');
    for (const idle of [onBattery, outside])
      assert.equal(
        (await idle.api.call('events.since', { after: 0, limit: 10_000 })).events.filter(
          (e) => e.type === 'unit.started',
        ).length,
        0,
      );
    await Promise.all(nodes.map((n) => stopChild(n)));
  },
);
