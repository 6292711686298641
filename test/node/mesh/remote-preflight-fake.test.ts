// A requester without Blender has its scene read by a peer (requester/remote-preflight.ts), against a
// fake context: the peers asked are those I trust that advertise a Blender algorithm and trust me,
// the largest first; a reply that fails the schema (wrong types, a report past its limits) or
// names another Blender than the one that read it is rejected and the next peer asked; the report
// is judged here, as my own preflight's would be (a missing texture refused, naming its path); a
// scene a peer's Blender could not load ends the asking; with no peer to ask, the error says so.
// The provider's side (provider/peer-preflights.ts) with a fake Blender: a second request of the
// same requester while its first runs is refused `busy`, and runs nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preflightReport } from '../../core/blender/report.js';
import type { MessageBody, MessageType } from '../../../src-main/core/protocol/messages.js';
import type { ComputeCommitment } from '../../../src-main/core/schemas/index.js';
import { DEFAULT_SHARING_SETTINGS } from '../../../src-main/core/schemas/availability.js';
import { cidOfBytes } from '../../../src-main/node/blobs/cid.js';
import type { Preflight } from '../../../src-main/node/blender/preflight.js';
import { askPeersToRead } from '../../../src-main/node/mesh/requester/remote-preflight.js';
import { PeerPreflights } from '../../../src-main/node/mesh/provider/peer-preflights.js';
import { FramePreviews } from '../../../src-main/node/mesh/render/blender-previews.js';
import { fakeContext, type FakeContext } from './fixtures/fake-context.js';

const ALGORITHM = 'blender-cycles/3.4';
const REPORT = preflightReport({
  frame_end: 4,
  denoising: true,
  images: [{ name: 'rock', source: 'FILE', packed: false, path: '/nowhere/rock.png', exists: false }],
});
const scene = { scene: new Uint8Array([66, 76, 69, 78, 68, 69, 82]), params: { file: 'scene.blend', zip: false } };

/** A peer's commitment: trusting `me`, its one slot of `cores` advertising `algorithm`. */
function commitment(peer: string, me: string, cores: number, algorithm = ALGORITHM): ComputeCommitment {
  return {
    peer_id: peer,
    availability_slots: [
      { resources: { cpu_cores: cores }, algorithms: [{ algorithm_id: algorithm, supported: true }] },
    ],
    trust_weights: { [me]: 1 },
  } as unknown as ComputeCommitment;
}

/** A requester that trusts each of `peers` (each advertising Blender, by its cores), whose replies `respond` gives. */
async function requester(
  peers: { id: string; cores: number; trusted?: boolean; algorithm?: string }[],
  respond: (peer: string, type: MessageType, body: unknown) => { type: string; body: unknown } | undefined,
): Promise<FakeContext> {
  const ctx = await fakeContext({ respond: ({ peer, type, body }) => respond(peer, type, body) });
  for (const peer of peers) {
    ctx.commitments.set(peer.id, commitment(peer.id, ctx.me, peer.cores, peer.algorithm));
    if (peer.trusted !== false) await ctx.record([{ type: 'trust.set', peer_id: peer.id, weight: 0.9 }]);
  }
  return ctx;
}

const report = (body: unknown) => ({ type: 'blender_report', body });

test("a malformed reply is rejected and the next peer asked; the report is judged here, not by the peer's word", async () => {
  const huge = { ...REPORT, images: Array.from({ length: 10_001 }, () => REPORT.images[0]) };
  const replies: Record<string, unknown> = {
    wrongTypes: { report: { ...REPORT, width: '64' }, algorithm: ALGORITHM },
    forgedHuge: { report: huge, algorithm: ALGORITHM },
    otherBlender: { report: REPORT, algorithm: 'blender-cycles/4.2' },
    extraField: { report: REPORT, algorithm: ALGORITHM, verdict: { refusals: [] } },
    honest: { report: REPORT, algorithm: ALGORITHM },
  };
  const order = ['wrongTypes', 'forgedHuge', 'otherBlender', 'extraField', 'honest'];
  const ctx = await requester(
    [
      ...order.map((id, i) => ({ id, cores: 16 - i })),
      { id: 'untrusted', cores: 64, trusted: false },
      { id: 'noBlender', cores: 32, algorithm: 'sha256' },
    ],
    (peer, type) => (type === 'blender_preflight' ? report(replies[peer]) : undefined),
  );
  const read = await askPeersToRead(ctx, scene, 'Blender is not on PATH');
  assert.ok(read.ok, read.ok ? '' : read.reason);
  assert.equal(read.by, 'honest');
  assert.equal(read.algorithm, ALGORITHM);
  assert.deepEqual([read.report.width, read.report.height], [64, 48]);
  assert.deepEqual(read.verdict.refusals, ['missing texture "rock": /nowhere/rock.png is not in the job']);
  assert.match(read.verdict.warnings.join(), /denoising is turned off/);
  assert.deepEqual(
    ctx.sent.map((m) => m.peer),
    order,
    'the trusted peers sharing Blender, the largest first; not the untrusted one, nor one without Blender',
  );
  // The scene is a blob of mine, named by its CID and size: the provider fetches it from me.
  const asked = ctx.sent[0]!.body as MessageBody<'blender_preflight'>;
  assert.deepEqual(asked, { cid: cidOfBytes(scene.scene), bytes: 7, file: 'scene.blend', zip: false });
  assert.deepEqual(ctx.blobs.get(asked.cid), scene.scene);
  for (const peer of order.slice(0, 4))
    assert.ok(
      ctx.logged.some((l) => l.startsWith(`${peer} did not read`)),
      peer,
    );
  assert.match(
    ctx.logged.find((l) => l.startsWith('otherBlender'))!,
    /names blender-cycles\/4\.2.*Blender 3\.4\.1/,
  );
});

test('refusals and silence move on; an unreadable scene ends the asking; nobody to ask is said so', async () => {
  const ctx = await requester(
    [
      { id: 'busyOne', cores: 8 },
      { id: 'silent', cores: 4 },
      { id: 'reader', cores: 2 },
      { id: 'later', cores: 1 },
    ],
    (peer) =>
      peer === 'busyOne'
        ? report({ refused: 'busy: a preflight of yours is running here' })
        : peer === 'reader'
          ? report({ unreadable: 'Blender printed no preflight report (the file did not load)' })
          : peer === 'later'
            ? report({ report: REPORT, algorithm: ALGORITHM })
            : undefined,
  );
  const read = await askPeersToRead(ctx, scene, 'Blender is not on PATH');
  assert.deepEqual(read, {
    ok: false,
    reason:
      "the scene could not be read (by reader's Blender): Blender printed no preflight report (the file did not load)",
  });
  assert.deepEqual(
    ctx.sent.map((m) => m.peer),
    ['busyOne', 'silent', 'reader'],
  );

  const refusing = await requester([{ id: 'strict', cores: 4 }], () =>
    report({ refused: 'I render Blender scenes only for peers I trust at 0.8 or more (you: 0.5)' }),
  );
  const none = await askPeersToRead(refusing, scene, 'Blender is not on PATH');
  assert.ok(!none.ok);
  assert.equal(
    none.reason,
    'no Blender here (Blender is not on PATH), and no trusted peer sharing Blender answered a preflight: ' +
      'strict: I render Blender scenes only for peers I trust at 0.8 or more (you: 0.5)',
  );
  const alone = await requester([], () => undefined);
  const nobody = await askPeersToRead(alone, scene, 'Blender is not on PATH');
  assert.ok(!nobody.ok);
  assert.match(nobody.reason, /no trusted peer sharing Blender answered a preflight: none shares Blender with me$/);
  assert.equal(alone.sent.length, 0);
});

test("a provider reads one scene of a requester's at a time: a second while the first runs is refused busy", async () => {
  const ctx = await fakeContext();
  const asker = 'requester-peer';
  await ctx.record([
    { type: 'settings.set', settings: { ...DEFAULT_SHARING_SETTINGS, blender_sharing: true, blender_min_trust: 0.8 } },
    { type: 'trust.set', peer_id: asker, weight: 0.9 },
  ]);
  const cid = cidOfBytes(scene.scene);
  ctx.peerBlobs.set(cid, scene.scene);
  let runs = 0;
  let finish: (p: Preflight) => void = () => {};
  const blender = {
    find: () => Promise.reject(new Error('not used')),
    sharedInstall: () => ({
      path: '/usr/bin/blender',
      version: [3, 4, 1] as [number, number, number],
      build: '',
      algorithm: ALGORITHM,
    }),
    preflight: () => {
      runs++;
      return new Promise<Preflight>((resolve) => (finish = resolve));
    },
    read: () => Promise.reject(new Error('not used')),
    previews: new FramePreviews(),
  };
  const preflights = new PeerPreflights({
    state: ctx.state,
    blobs: ctx.blobs,
    blender,
    fetchBlob: (peer, c, maxBytes) => ctx.fetchBlob(peer, c, maxBytes),
    signal: ctx.signal,
    log: (message) => ctx.log(message),
  });
  const request = { cid, bytes: scene.scene.byteLength, file: 'scene.blend', zip: false };
  const first = preflights.answer(asker, request);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(await preflights.answer(asker, request), { refused: 'busy: a preflight of yours is running here' });
  assert.equal(runs, 1, 'the busy one ran nothing');
  finish({
    ok: true,
    report: REPORT,
    verdict: { refusals: [], warnings: [], check: { crop: true }, tiles: true, frames: { start: 1, end: 4, step: 1 } },
  });
  assert.deepEqual(await first, { report: REPORT, algorithm: ALGORITHM });
  // Done: the next one is read.
  const again = preflights.answer(asker, request);
  await new Promise((resolve) => setImmediate(resolve));
  finish({ ok: false, reason: 'Blender printed no preflight report (the file did not load)' });
  assert.deepEqual(await again, { unreadable: 'Blender printed no preflight report (the file did not load)' });
  assert.equal(runs, 2);
  // Below my threshold: refused, saying why, and nothing run.
  await ctx.record([{ type: 'trust.set', peer_id: asker, weight: 0.5 }]);
  assert.deepEqual(await preflights.answer(asker, request), {
    refused: 'I render Blender scenes only for peers I trust at 0.8 or more (you: 0.5)',
  });
  assert.equal(runs, 2);
});
