// A requester without Blender has its scene read by a provider sharing Blender, on real nodes on
// loopback (docs/BLENDER.md, "A requester without Blender: the preflight"): `blender.preflight`
// gives the scene's report, read by the provider's Blender in its sandbox and judged by the
// requester (a missing texture refused, naming its path), and says who read it; a Blender job's
// submit and quote are preflighted the same way. A requester below the provider's threshold, and a
// stranger, are refused, saying why, and the provider runs no Blender for them; a second request of
// a requester while its first runs is refused busy. A rogue peer that advertises Blender and
// answers with forged reports (wrong types; a reply past the cap) is dropped by the requester's
// network, held against it, and the next peer is asked.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { meshOf, startNode, stopAll, waitFor, type TestNode } from '../mesh/cluster.js';
import { commitmentOf } from '../../rogue/bodies.js';
import { RoguePeer } from '../../rogue/rogue-peer.js';
import { blenderSharing, countPreflights, seesBlenderOf, withoutBlender } from './providers.js';
import { HEIGHT, makeScene, MISSING_TEXTURE, WIDTH } from './scenes.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-remote-preflight-'));
const scene = join(dir, 'scene.blend');
const missing = join(dir, 'missing.blend');
const longer = join(dir, 'longer.blend');
const sceneOf = (path: string, file: string) => ({
  scene_base64: readFileSync(path).toString('base64'),
  file,
  zip: false,
});

/** The requester, the provider sharing Blender, a requester it trusts below its threshold, a stranger. */
let requester: TestNode, provider: TestNode, doubted: TestNode, stranger: TestNode;
let preflights: { runs: number };

before(async () => {
  makeScene(scene);
  makeScene(missing, MISSING_TEXTURE);
  makeScene(longer, 's.frame_end = 6');
  [requester, provider, doubted, stranger] = await Promise.all([startNode(), startNode(), startNode(), startNode()]);
  for (const node of [requester, doubted, stranger]) withoutBlender(node);
  // Everyone trusts the provider; it trusts the requester at 1, the doubted one at 0.5, the stranger not at all.
  const trustOfProvider = [1, 0, 0.5, 0];
  await meshOf([requester, provider, doubted, stranger], (from, to) =>
    to === 1 ? 1 : from === 1 ? trustOfProvider[to]! : 0,
  );
  await blenderSharing(provider, true); // for peers trusted at 0.8 or more
  preflights = countPreflights(provider);
  for (const node of [requester, doubted]) await seesBlenderOf(node.node, provider);
});
after(async () => {
  await stopAll([requester, provider, doubted, stranger]);
  rmSync(dir, { recursive: true, force: true });
});

test('a requester without Blender has its scene read by a trusted provider sharing Blender, and judged here', async () => {
  const check = await requester.api['blender.check']({});
  assert.deepEqual([check.found, check.reason], [false, 'Blender is not on PATH']);
  const algorithm = provider.node.blender.algorithm();

  const read = await requester.api['blender.preflight'](sceneOf(scene, 'scene.blend'));
  assert.equal(read.by, provider.node.peerId, 'the provider read it');
  assert.equal(read.algorithm, algorithm);
  const { report } = read;
  assert.deepEqual(
    [report.engine, report.frame_start, report.frame_end, report.width, report.height, report.samples],
    ['CYCLES', 1, 4, WIDTH, HEIGHT, 8],
  );
  assert.deepEqual(read.refusals, []);
  assert.deepEqual(
    read.peers.map((p) => p.peer_id),
    [provider.node.peerId],
  );
  assert.equal(preflights.runs, 1);

  const refused = await requester.api['blender.preflight'](sceneOf(missing, 'missing.blend'));
  assert.equal(refused.by, provider.node.peerId);
  assert.equal(refused.refusals.length, 1);
  assert.match(
    refused.refusals[0]!,
    /^missing texture "rock": \S*nowhere\/rock\.png is not in the job \(it points outside the scene's folder\)$/,
  );

  // A Blender job is preflighted the same way: quoted from the provider's report, refused by it.
  const terms = {
    chunk_bytes: 4,
    redundancy: 1,
    budget: 10_000,
    priority: 0.5,
    manual_accept: false,
    open_to_strangers: false,
  };
  const quote = await requester.api['jobs.estimate']({
    ...terms,
    blender: { ...sceneOf(scene, 'scene.blend'), seed: 0 },
    input_bytes: 16,
  });
  assert.equal(quote.units, 4);
  await assert.rejects(
    requester.api['jobs.submit']({
      ...terms,
      blender: { ...sceneOf(missing, 'missing.blend'), seed: 0 },
      input_base64: Buffer.from([0, 0, 0, 1]).toString('base64'),
    }),
    /the scene is refused: missing texture "rock": \S*nowhere\/rock\.png/,
  );
  assert.equal(requester.node.state.jobs.size, 0, 'no job made');
});

test('a requester below the threshold and a stranger are refused, saying why, and no Blender runs for them', async () => {
  const runsBefore = preflights.runs;
  await assert.rejects(
    doubted.api['blender.preflight'](sceneOf(scene, 'scene.blend')),
    new RegExp(
      '^.*no Blender here \\(Blender is not on PATH\\), and no trusted peer sharing Blender answered a preflight: ' +
        `${provider.node.peerId}: I render Blender scenes only for peers I trust at 0.8 or more \\(you: 0.5\\)$`,
    ),
  );
  // The provider does not list the stranger as trusted: the stranger has nobody to ask...
  await assert.rejects(
    stranger.api['blender.preflight'](sceneOf(scene, 'scene.blend')),
    /no trusted peer sharing Blender answered a preflight: none shares Blender with me/,
  );
  // ...and asking it all the same is refused.
  const bytes = new Uint8Array(readFileSync(scene));
  const cid = await stranger.node.ctx.blobs.put(bytes);
  const reply = await stranger.node.ctx.send(provider.node.peerId, 'blender_preflight', {
    cid,
    bytes: bytes.byteLength,
    file: 'scene.blend',
    zip: false,
  });
  assert.equal(reply?.type, 'blender_report');
  assert.deepEqual(reply.body, { refused: 'I render Blender scenes only for peers I trust at 0.8 or more (you: 0)' });
  assert.equal(preflights.runs, runsBefore, 'the provider ran no Blender for them');
});

test('a second request of a requester while its first runs is refused busy', async () => {
  const bytes = new Uint8Array(readFileSync(longer)); // not read before: its Blender runs a second or more
  const cid = await requester.node.ctx.blobs.put(bytes);
  const ask = () =>
    requester.node.ctx.send(
      provider.node.peerId,
      'blender_preflight',
      { cid, bytes: bytes.byteLength, file: 'longer.blend', zip: false },
      { timeoutMs: 120_000 },
    );
  const runsBefore = preflights.runs;
  const [first, second] = await Promise.all([ask(), ask()]);
  const bodies = [first, second].map((r) => r?.body as Record<string, unknown>);
  const read = bodies.filter((b) => 'report' in b);
  assert.equal(read.length, 1, JSON.stringify(bodies).slice(0, 500));
  assert.equal((read[0]!['report'] as { frame_end: number }).frame_end, 6);
  assert.deepEqual(
    bodies.filter((b) => 'refused' in b),
    [{ refused: 'busy: a preflight of yours is running here' }],
  );
  assert.equal(preflights.runs, runsBefore + 1);
});

test("a rogue sharer's forged reports are dropped, held against it, and the next peer asked", async () => {
  const rogue = await RoguePeer.start();
  try {
    await rogue.serve();
    await rogue.dial(requester.node.network.listenAddresses()[0]!);
    await requester.api['trust.set']({ peer_id: rogue.peerId, weight: 1 });
    // Its commitment, sent directly: Blender on a slot larger than any, so it is asked first.
    const commitment = commitmentOf(rogue.peerId, { [requester.node.peerId]: 1 });
    const algorithm = provider.node.blender.algorithm()!;
    commitment['availability_slots'] = (commitment['availability_slots'] as Record<string, unknown>[]).map((slot) => ({
      ...slot,
      resources: { cpu_cores: 4096, ram_gb: 8 },
      algorithms: [{ algorithm_id: algorithm, version: '1.0.0', supported: true, performance_score: 1 }],
    }));
    const taken = await rogue.request(requester.node.peerId, await rogue.envelope('commitment', commitment));
    assert.match(taken?.text ?? '', /"type":"ack"/, 'the requester follows it');
    await waitFor("the rogue's commitment", () => requester.node.ctx.commitments.get(rogue.peerId));
    const honest = await requester.api['blender.preflight'](sceneOf(scene, 'scene.blend'));
    const report = { ...honest.report, images: [] };
    const forgeries: Array<[string, unknown]> = [
      ['invalid', { report: { ...report, width: String(report.width) }, algorithm }],
      ['invalid', { report: { ...report, images: Array.from({ length: 10_001 }, () => IMAGE) }, algorithm }],
      ['oversized', { refused: 'x'.repeat(3 * 2 ** 20) }],
    ];
    for (const [reason, forged] of forgeries) {
      rogue.answer = (request) =>
        Promise.resolve(request.type === 'blender_preflight' ? { type: 'blender_report', body: forged } : undefined);
      const asked = rogue.received.length;
      const dropsBefore = dropsOf(rogue.peerId, reason);
      const started = performance.now();
      const read = await requester.api['blender.preflight'](sceneOf(scene, 'scene.blend'));
      assert.equal(read.by, provider.node.peerId, 'the next peer read it');
      assert.deepEqual(read.report, honest.report);
      assert.deepEqual(
        rogue.received
          .slice(asked)
          .map((r) => r.type)
          .filter((type) => type === 'blender_preflight'),
        ['blender_preflight'],
        'the rogue was asked first',
      );
      assert.equal(dropsOf(rogue.peerId, reason), dropsBefore + 1, `held against it: ${reason}`);
      assert.ok(performance.now() - started < 60_000, 'no waiting out the 120 s');
    }
  } finally {
    await rogue.stop();
  }
});

const IMAGE = { name: 'rock', source: 'FILE', packed: true, path: '', exists: true };

/** The requester's drops of `peer`'s messages for `reason`. */
function dropsOf(peer: string, reason: string): number {
  return (requester.node.network.dropped()[peer] as Record<string, number> | undefined)?.[reason] ?? 0;
}
