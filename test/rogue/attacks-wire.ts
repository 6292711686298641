// Attacks on the wire: frames, envelopes, streams and blobs (docs/PROTOCOL.md, "On the wire").
// Each is refused where the protocol says, counted against the rogue, and leaves the target whole.
import { generateKeyPair } from '@libp2p/crypto/keys';
import { varint } from 'multiformats';
import type { Arena } from './arena.js';
import { dropCounted, dropsOf, eventually, minutesFromNow, refusedWith, utf8, type Attack } from './attack.js';
import { commitmentOf, listedOffers, offerFor, offersBody } from './bodies.js';
import { frame, KIND, WIRE } from './rogue-peer.js';

const target = (arena: Arena) => arena.t.node.peerId;

/** Writes raw bytes (not length-prefixed by the library) on a fresh session, then closes; resolves when the target ends it. */
async function rawBytes(arena: Arena, chunks: Uint8Array[], gapMs = 0): Promise<void> {
  const { stream } = await arena.rogue.session(target(arena));
  try {
    for (const chunk of chunks) {
      stream.send(chunk);
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    await stream.close();
  } catch {
    // the target reset the stream: what these attacks expect
  }
}

/** A request whose envelope the rogue signed with `type` and `body`; the target's reply. */
async function signed(arena: Arena, type: string, body: unknown, overrides = {}) {
  return arena.rogue.request(target(arena), await arena.rogue.envelope(type, body, overrides));
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

export const WIRE_ATTACKS: Attack[] = [
  {
    name: 'oversized frame: a length prefix of 64 MiB, then junk',
    async run(arena) {
      const before = dropsOf(arena, 'oversized');
      await rawBytes(arena, [varint.encodeTo(64 << 20, new Uint8Array(8)).subarray(0, 4), new Uint8Array(64 * 1024)]);
      return dropCounted(arena, 'oversized', before);
    },
  },
  {
    name: 'truncated frame: a prefix of 1,000 bytes, 10 sent, then close',
    async run(arena) {
      const before = dropsOf(arena, 'protocol_error');
      await rawBytes(arena, [new Uint8Array([0xe8, 0x07]), new Uint8Array(10)]);
      return dropCounted(arena, 'protocol_error', before);
    },
  },
  {
    name: 'frame shorter than its header',
    async run(arena) {
      const before = dropsOf(arena, 'protocol_error');
      await rawBytes(arena, [new Uint8Array([3, 0, 0, 0])]);
      return dropCounted(arena, 'protocol_error', before);
    },
  },
  {
    name: 'a reply frame sent as a request',
    async run(arena) {
      const before = dropsOf(arena, 'protocol_error');
      const bytes = frame(KIND.reply, 1, utf8('{}'));
      await rawBytes(arena, [new Uint8Array([bytes.byteLength]), bytes]);
      return dropCounted(arena, 'protocol_error', before);
    },
  },
  {
    name: 'malformed JSON',
    run: async (arena) => refusedWith(await arena.rogue.request(target(arena), utf8('{"v":1,"type":')), 'malformed'),
  },
  {
    name: 'bytes that are not UTF-8',
    run: async (arena) =>
      refusedWith(await arena.rogue.request(target(arena), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 'malformed'),
  },
  {
    name: 'deep JSON: 200,000 nested arrays',
    run: async (arena) =>
      refusedWith(
        await arena.rogue.request(target(arena), utf8(`{"v":1,"type":"ack","body":${nested(200_000)}}`)),
        'malformed',
      ),
  },
  {
    name: 'wrong signature: signed by another key',
    async run(arena) {
      const key = await generateKeyPair('Ed25519');
      return refusedWith(await signed(arena, 'offers', offersBody(offerFor(arena)), { key }), 'bad_signature');
    },
  },
  {
    name: 'forged author: B named as author, signed by the rogue',
    run: async (arena) =>
      refusedWith(
        await signed(arena, 'offers', offersBody(offerFor(arena)), { author: arena.b.node.peerId }),
        'forged_author',
      ),
  },
  {
    name: 'replay: one signed envelope sent twice',
    async run(arena) {
      const envelope = await arena.rogue.envelope('commitment', commitmentOf(arena.rogue.peerId, {}));
      await arena.rogue.request(target(arena), envelope);
      return refusedWith(await arena.rogue.request(target(arena), envelope), 'replayed');
    },
  },
  {
    name: 'stale: timestamped 10 minutes ago',
    run: async (arena) =>
      refusedWith(await signed(arena, 'offers', offersBody(offerFor(arena)), { ts: minutesFromNow(-10) }), 'stale'),
  },
  {
    name: 'from the future: timestamped 10 minutes ahead',
    run: async (arena) =>
      refusedWith(await signed(arena, 'offers', offersBody(offerFor(arena)), { ts: minutesFromNow(10) }), 'stale'),
  },
  {
    name: 'unknown message type',
    run: async (arena) => refusedWith(await signed(arena, 'mesh.takeover', {}), 'unknown_type'),
  },
  {
    name: 'a body over its type cap (a 300 KB release; the cap is 256 KiB)',
    run: async (arena) => refusedWith(await signed(arena, 'release', { pad: 'x'.repeat(300_000) }), 'oversized'),
  },
  {
    name: 'huge numbers: a price of 1e308 and a vector clock of 2^80',
    async run(arena) {
      const commitment = { ...commitmentOf(arena.rogue.peerId, {}), vector_clock: { [arena.rogue.peerId]: 2 ** 80 } };
      const missed = refusedWith(await signed(arena, 'commitment', commitment), 'invalid');
      const offer = offerFor(arena, { price: 1e308 });
      missed.push(...refusedWith(await signed(arena, 'offers', offersBody(offer)), 'invalid'));
      return missed;
    },
  },
  {
    name: 'unicode tricks in ids: right-to-left override, NUL, homoglyphs, __proto__',
    async run(arena) {
      const missed: string[] = [];
      for (const id of [`${arena.rogue.peerId}\u202e1#`, 'a\u0000b', 'оffer', '__proto__']) {
        missed.push(
          ...refusedWith(await signed(arena, 'offers', offersBody(offerFor(arena, { offer_id: id }))), 'invalid'),
        );
      }
      const trust = JSON.parse(`{"__proto__": 1}`) as Record<string, number>;
      missed.push(
        ...refusedWith(await signed(arena, 'commitment', commitmentOf(arena.rogue.peerId, trust)), 'invalid'),
      );
      const listed = await listedOffers(arena);
      if (listed.some((o) => !/^[A-Za-z0-9._:#@+=/-]+$/.test(o.offer_id))) missed.push('an odd id was listed');
      return missed;
    },
  },
  {
    name: 'many streams: 300 message sessions opened at once',
    async run(arena) {
      const { libp2p } = arena.rogue;
      const { peerIdFromString } = await import('@libp2p/peer-id');
      const peer = peerIdFromString(target(arena));
      const opened = await Promise.allSettled(
        Array.from({ length: 300 }, () =>
          libp2p.dialProtocol(peer, WIRE.message, { signal: AbortSignal.timeout(5000), maxOutboundStreams: 10_000 }),
        ),
      );
      for (const o of opened) if (o.status === 'fulfilled') o.value.abort(new Error('done'));
      const held = opened.filter((o) => o.status === 'fulfilled').length;
      return held <= 300 ? [] : ['impossible'];
    },
  },
  {
    name: 'slow reads (slowloris): a 1 MiB frame sent a byte every 50 ms while B is served',
    async run(arena) {
      const slow = rawBytes(
        arena,
        [new Uint8Array([0x80, 0x80, 0x40]), ...Array.from({ length: 40 }, () => new Uint8Array(1))],
        50,
      );
      const reply = await arena.b.node.network.request(
        target(arena),
        'commitment',
        commitmentOf(arena.b.node.peerId, {}),
      );
      await slow;
      return reply?.type === 'ack' || reply === undefined ? [] : [`B's request got ${reply.type}`];
    },
  },
  {
    name: 'never reading replies: 200 requests written, no reply read',
    async run(arena) {
      const { stream, lp } = await arena.rogue.session(target(arena));
      const envelope = await arena.rogue.envelope('release', { assignments: [], reason: 'failed' });
      for (let i = 1; i <= 200; i++)
        await lp.write(frame(KIND.request, i, envelope), { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
      stream.abort(new Error('gone'));
      return [];
    },
  },
  {
    name: 'blob flood: 200 concurrent requests for the module',
    async run(arena) {
      const answers = await Promise.all(
        Array.from({ length: 200 }, () => arena.rogue.blob(target(arena), { cid: arena.blobs.module })),
      );
      return answers.some((a) => a.includes('"ok":true')) ? [] : ['no request was served'];
    },
  },
  {
    name: 'wrong CIDs: not a CID, an unknown one, a dag-pb one, a long one, an extra key',
    async run(arena) {
      const missed: string[] = [];
      const expectations: Array<[unknown, string]> = [
        [{ cid: 'not-a-cid' }, 'bad_request'],
        [{ cid: 'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq' }, 'not_found'],
        [{ cid: 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi' }, 'bad_request'], // dag-pb, not raw
        [{ cid: 'x'.repeat(300) }, 'bad_request'],
        [{ cid: arena.blobs.module, extra: 1 }, 'bad_request'],
      ];
      for (const [request, error] of expectations) {
        const header = await arena.rogue.blob(target(arena), request);
        if (header.includes('"ok":true')) missed.push(`served ${JSON.stringify(request).slice(0, 60)}`);
        else if (!header.includes(error) && !header.includes('forbidden'))
          missed.push(`${JSON.stringify(request).slice(0, 40)}: ${header}`);
      }
      if ((await arena.rogue.blob(target(arena), new Uint8Array(4096))) !== 'reset')
        missed.push('a 4 KiB request was read');
      return missed;
    },
  },
  {
    name: 'a blob request that never comes: the stream opened and left silent',
    async run(arena) {
      const { peerIdFromString } = await import('@libp2p/peer-id');
      const stream = await arena.rogue.libp2p.dialProtocol(peerIdFromString(target(arena)), WIRE.blob);
      const status = await eventually('the holder gives up on it', () => stream.status !== 'open', 15_000);
      stream.abort(new Error('done'));
      return status;
    },
  },
  {
    name: 'a flood of 300 bad requests: each counted, the event log told of them about once a second',
    async run(arena) {
      const rogue = arena.rogue.peerId;
      const dropped = () =>
        Object.values(arena.t.node.network.dropped()[rogue] ?? {}).reduce((sum, n) => sum + (n ?? 0), 0);
      const before = dropped();
      const { events: old } = await arena.t.api['events.since']({ after: 0, limit: 10_000 });
      const since = old.at(-1)?.id ?? 0;
      const started = Date.now();
      const bad = await arena.rogue.envelope('offers', { offers: [{ bad: 'x' }] });
      await arena.rogue.requests(
        target(arena),
        Array.from({ length: 300 }, () => bad),
      );
      const seconds = (Date.now() - started) / 1000;
      const missed = await eventually('300 drops counted', () => dropped() - before >= 300);
      const { events } = await arena.t.api['events.since']({ after: since, limit: 10_000 });
      const told = events.filter((e) => e.type === 'message.dropped' && e.data['peer'] === rogue);
      if (told.length > Math.ceil(seconds) + 1) missed.push(`${told.length} drop events in ${seconds.toFixed(1)} s`);
      const counted = told.reduce((sum, e) => sum + 1 + Number(e.data['also_dropped']), 0);
      if (counted > dropped() - before)
        missed.push(`the events count ${counted} drops, more than ${dropped() - before}`);
      return missed;
    },
  },
];
