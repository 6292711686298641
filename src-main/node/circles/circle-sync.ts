// How circles' logs travel with no server: what I sign is gossiped on the circle's topic and pushed
// to the members connected but not yet on it; a founding is pushed to each member, who joins; and
// a member that was away, or on the other side of a partition, syncs with each member it connects
// to (and with one at random now and then): the digests of both copies first, then, when they
// differ, the CIDs each holds, the entries it lacks fetched and those the peer lacks pushed.
import { createHash } from 'node:crypto';
import { chunks } from '../../core/chunks.js';
import { authorOf, MAX_ENTRIES_PER_MESSAGE, type SignedEntry } from '../../core/circles/index.js';
import { circleTopic, MAX_WANTED } from '../../core/protocol/circle-messages.js';
import type { MessageBody, MessageType } from '../../core/protocol/messages.js';
import type { MeshNetwork } from '../p2p/index.js';
import type { Circles, Intake } from './circles.js';

/** How often a member syncs one circle with a member picked at random (what gossip missed). */
const ANTI_ENTROPY_MS = 30_000;

/** A request to a peer and its verified reply, or undefined when it could not be delivered (NodeContext.send). */
export type Send = <T extends MessageType>(
  peer: string,
  type: T,
  body: MessageBody<T>,
) => Promise<{ type: string; body: unknown } | undefined>;
/** Work nobody awaits, whose failure is logged (NodeContext.background). */
export type Background = (what: string, work: Promise<unknown>) => void;

/** The digest of a copy of a log: its CIDs, sorted. Two copies with the same entries have the same digest. */
function logDigest(cids: readonly string[]): string {
  return createHash('sha256').update(cids.join('\n')).digest('hex');
}

export class CircleSync {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly circles: Circles,
    private readonly network: Pick<MeshNetwork, 'publish' | 'subscribe' | 'subscribers' | 'connectedPeers'>,
    private readonly send: Send,
    private readonly background: Background,
  ) {
    circles.onAdded = (circle, entries, joined) => this.#added(circle, entries, joined);
  }

  /** Follows my circles' topics, and syncs each with the members I connect to. */
  start(bus: { on(event: 'peer.connected', listener: (peer: string) => void): void }): void {
    this.circles.start();
    for (const circle of this.circles.ids()) this.network.subscribe(circleTopic(circle));
    bus.on('peer.connected', (peer) => this.#connected(peer));
    this.#timer = setInterval(() => this.#antiEntropy(), ANTI_ENTROPY_MS).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.circles.stop();
  }

  /** A peer connected: every circle we share is synced with it. */
  #connected(peer: string): void {
    for (const circle of this.circles.ids())
      if (this.circles.talksWith(circle, peer)) this.background('syncing a circle', this.syncWith(peer, circle));
  }

  /** `circle_entries` from a peer (gossip, a push): taken, and answered with an ack. */
  take(from: string, body: MessageBody<'circle_entries'>): Promise<Intake> {
    return this.circles.take(from, body.circle, body.entries);
  }

  answerSync(from: string, { circle, digest }: MessageBody<'circle_sync'>): MessageBody<'circle_have'> {
    if (!this.circles.talksWith(circle, from)) return { circle, known: false, same: false, cids: [] };
    const cids = this.circles.cids(circle);
    const same = logDigest(cids) === digest;
    return { circle, known: true, same, cids: same ? [] : cids };
  }

  answerWant(from: string, { circle, cids }: MessageBody<'circle_want'>): MessageBody<'circle_entries'> {
    return { circle, entries: (this.circles.entriesFor(from, circle, cids) ?? []).slice(0, MAX_ENTRIES_PER_MESSAGE) };
  }

  /** Brings my copy of `circle` and `peer`'s to the same entries. */
  async syncWith(peer: string, circle: string): Promise<void> {
    const mine = this.circles.cids(circle);
    const reply = await this.send(peer, 'circle_sync', { circle, digest: logDigest(mine), count: mine.length });
    if (reply?.type !== 'circle_have') return;
    const have = reply.body as MessageBody<'circle_have'>;
    if (have.same) return;
    const theirs = new Set(have.cids);
    const held = new Set(mine);
    const missing = have.cids.filter((cid) => !held.has(cid));
    for (const wanted of chunks(missing, Math.min(MAX_WANTED, MAX_ENTRIES_PER_MESSAGE))) {
      const got = await this.send(peer, 'circle_want', { circle, cids: wanted });
      if (got?.type !== 'circle_entries') return;
      await this.circles.take(peer, circle, (got.body as MessageBody<'circle_entries'>).entries);
    }
    const lacking = this.circles.cids(circle).filter((cid) => !theirs.has(cid));
    const entries = this.circles.entriesFor(peer, circle, lacking) ?? [];
    // A peer that holds nothing of the circle gets its founding first, with which it joins.
    entries.sort((a, b) => Number(b.entry.kind === 'genesis') - Number(a.entry.kind === 'genesis'));
    await this.#push(peer, circle, entries);
  }

  async #push(peer: string, circle: string, entries: readonly SignedEntry[]): Promise<void> {
    for (const batch of chunks(entries, MAX_ENTRIES_PER_MESSAGE)) {
      const ack = await this.send(peer, 'circle_entries', { circle, entries: batch });
      if (ack === undefined) return;
    }
  }

  /** New entries in a circle's log: mine are gossiped and pushed; a circle I joined is followed and synced. */
  #added(circle: string, entries: SignedEntry[], joined: boolean): void {
    const topic = circleTopic(circle);
    if (joined) this.network.subscribe(topic);
    const me = this.circles.me;
    const mine = entries.filter((e) => authorOf(e.entry) === me);
    const members = this.circles.state(circle).members.filter((m) => m !== me);
    if (joined && mine.some((e) => e.entry.kind === 'genesis')) {
      // I founded it: each member gets the founding, with which it joins.
      for (const member of members) this.background('pushing a founding', this.#push(member, circle, mine));
      return;
    }
    if (mine.length > 0)
      this.background(
        'gossiping circle entries',
        this.network.publish(topic, 'circle_entries', { circle, entries: mine }),
      );
    // Members gossip does not reach yet (one just voted in, or I just joined) are synced with: each gets what it lacks.
    const onTopic = new Set(this.network.subscribers(topic));
    const connected = new Set(this.network.connectedPeers());
    for (const member of members)
      if (connected.has(member) && (joined || !onTopic.has(member)))
        this.background('syncing a circle', this.syncWith(member, circle));
  }

  #antiEntropy(): void {
    const connected = new Set(this.network.connectedPeers());
    for (const circle of this.circles.ids()) {
      const members = this.circles.state(circle).members.filter((m) => m !== this.circles.me && connected.has(m));
      const peer = members[Math.floor(Math.random() * members.length)];
      if (peer !== undefined) this.background('syncing a circle', this.syncWith(peer, circle));
    }
  }
}
