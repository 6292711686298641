// My circles: each one's log (journaled in the node's database), its state as the log makes it
// (core/circles/resolve.ts, recomputed whenever the log grows or a proposal's voting closes, so it
// never goes stale), and what I sign into it: a founding, a proposal, a vote. Entries from peers
// come through `take` (gossip, a push, a sync's reply): each is checked (shape, signature, a
// member's, not from the future, not a flood) before it is stored; one that changes nothing says
// why, and its author pays as for other bad messages. Sync and gossip are in circle-sync.ts.
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_MESH_POLICY,
  MAX_CIRCLE_ENTRIES,
  MAX_CIRCLE_MEMBERS,
  applyFragment,
  authorOf,
  resolveCircle,
  workerShareBps,
  type Change,
  type CircleEntry,
  type CircleState,
  type Genesis,
  type LoggedEntry,
  type MeshPolicy,
  type PolicyFragment,
  type ProposalState,
  type SignedEntry,
  type VoteChoice,
} from '../../core/circles/index.js';
import { CodedError } from '../../core/errors.js';
import { PeerRates } from '../../core/protocol/rate-limit.js';
import type { Identity } from '../identity/identity.js';
import type { CircleStore } from '../journal/circle-store.js';
import { checkEntry, signEntry } from './signed-entries.js';
import { Joining, type CheckedEntry } from './joining.js';

/** How far ahead of my clock an entry may be signed (peers' clocks differ a little). */
const CLOCK_SKEW_MS = 60_000;
/** Proposals one member may send: ten at once, then one a minute (more are void by the policy's own rule). */
const PROPOSAL_RATE = { perSecond: 1 / 60, burst: 10 };

/** What the replay ignores that only a faulty or hostile member signs (resolve.ts's words). */
const FAULTS = ['its author is not a member', 'its author voted twice', 'its author has'];

export type CircleErrorCode = 'bad_request' | 'not_found' | 'conflict';

/** Why a call of mine on a circle could not be done (the API says it in these words). */
export class CircleError extends CodedError<CircleErrorCode> {
  override readonly name = 'CircleError';
}

/** What the circles need of the node. */
export interface CircleNeeds {
  identity: Identity;
  store: CircleStore;
  now(): number;
  /** Whether I trust `peer` (weight > 0): a founding naming me is taken only from someone I trust. */
  trusts(peer: string): boolean;
  /** A member's bad message, held against it as the network's drops are. */
  penalize(peer: string, reason: string): void;
  emit(
    type: 'circle.joined' | 'circle.proposal_opened' | 'circle.policy_changed',
    data: Record<string, string | number>,
  ): void;
  log(message: string): void;
}

/** How a batch of entries from a peer went: those new to me, and those refused with why. */
export interface Intake {
  added: string[];
  refused: { cid?: string; reason: string }[];
}

interface Log {
  genesis: LoggedEntry<Genesis>;
  entries: Map<string, { logged: LoggedEntry; signed: SignedEntry }>;
  /** Its state, while the log is this size and no proposal's voting has closed since. */
  resolved?: { state: CircleState; size: number; until: number };
  /** The state the API's events last told of; the next look when an open proposal's voting closes. */
  told?: CircleState;
  closeTimer?: NodeJS.Timeout;
}

export class Circles {
  readonly #logs = new Map<string, Log>();
  readonly #proposalRates = new PeerRates(PROPOSAL_RATE);
  /** Circles on their way to me, until their logs show me a member. */
  readonly #joining: Joining;
  /** Told whenever a circle's log grows (gossip, pushes to members). */
  onAdded: (circle: string, entries: SignedEntry[], joined: boolean) => void = () => {};

  constructor(private readonly needs: CircleNeeds) {
    this.#joining = new Joining(
      () => this.me,
      () => needs.now(),
    );
    for (const circle of needs.store.circles()) {
      const stored = needs.store.entries(circle);
      const genesis = stored.find((e) => e.cid === circle);
      if (genesis?.signed.entry.kind !== 'genesis') continue; // a founding lost would make the rest unreadable
      const log: Log = { genesis: { cid: circle, entry: genesis.signed.entry }, entries: new Map() };
      for (const { cid, signed } of stored) log.entries.set(cid, { logged: { cid, entry: signed.entry }, signed });
      this.#logs.set(circle, log);
    }
  }

  /** Looks at each circle once the node runs: what its log holds was told before; a close due is looked at. */
  start(): void {
    for (const circle of this.#logs.keys()) this.#tell(circle);
  }

  get me(): string {
    return this.needs.identity.peerId;
  }

  /** My circles' ids, in the order I joined them. */
  ids(): string[] {
    return [...this.#logs.keys()];
  }

  /** The circle's state now; throws CircleError `not_found` when I am not in it. */
  state(circle: string): CircleState {
    const log = this.#logs.get(circle);
    if (log === undefined) throw new CircleError('not_found', `I am not a member of circle ${circle}`);
    const now = this.needs.now();
    const kept = log.resolved;
    if (kept && kept.size === log.entries.size && now < kept.until) return kept.state;
    const state = resolveCircle(
      log.genesis,
      [...log.entries.values()].map((e) => e.logged),
      now,
    );
    const until = Math.min(...state.proposals.filter((p) => p.status === 'open').map((p) => p.closes_at), Infinity);
    log.resolved = { state, size: log.entries.size, until };
    return state;
  }

  /** The policy a job in `circle` runs by; outside any circle (or one I left), today's defaults. */
  policyOf(circle: string | undefined): MeshPolicy {
    return circle !== undefined && this.#logs.has(circle) ? this.state(circle).policy : DEFAULT_MESH_POLICY;
  }

  /**
   * The worker shares (basis points) a settle of a job in `circle` accepted at `sinceMs` may pay: of
   * every policy active since then (a requester may settle under one just before I hear of the next).
   */
  workerSharesSince(circle: string | undefined, sinceMs: number): Set<number> {
    if (circle === undefined || !this.#logs.has(circle)) return new Set([workerShareBps(DEFAULT_MESH_POLICY)]);
    const { policy, history } = this.state(circle);
    const shares = new Set([workerShareBps(policy)]);
    for (const activation of history) if (activation.at >= sinceMs) shares.add(workerShareBps(activation.before));
    return shares;
  }

  /** Whether `peer` is a member of `circle` now. */
  isMember(circle: string, peer: string): boolean {
    return this.#logs.has(circle) && this.state(circle).members.includes(peer);
  }

  /** Whether `peer` may read and write `circle`'s log: a member now, or ever (a sync brings them the changes that removed them). */
  talksWith(circle: string, peer: string): boolean {
    const log = this.#logs.get(circle);
    if (log === undefined) return false;
    const state = this.state(circle);
    return (
      log.genesis.entry.members.includes(peer) ||
      state.members.includes(peer) ||
      state.history.some((a) => a.members_before.includes(peer))
    );
  }

  /** The signed entries of a circle, by CID, for a member that asks. */
  entriesFor(peer: string, circle: string, cids: readonly string[]): SignedEntry[] | undefined {
    const log = this.#logs.get(circle);
    if (log === undefined || !this.talksWith(circle, peer)) return undefined;
    return cids.flatMap((cid) => {
      const held = log.entries.get(cid);
      return held ? [held.signed] : [];
    });
  }

  /** My copy's CIDs, sorted. */
  cids(circle: string): string[] {
    return [...(this.#logs.get(circle)?.entries.keys() ?? [])].sort();
  }

  /** Founds a circle with me and `members` in it, under the default policy with `fragment`'s fields. */
  async create(name: string, members: readonly string[], fragment: PolicyFragment): Promise<CircleState> {
    const all = [...new Set([this.me, ...members])];
    if (all.length > MAX_CIRCLE_MEMBERS)
      throw new CircleError('bad_request', `a circle has at most ${MAX_CIRCLE_MEMBERS} members`);
    const policy = applyFragment(DEFAULT_MESH_POLICY, fragment);
    if (!policy.ok) throw new CircleError('bad_request', `policy: ${policy.error}`);
    const genesis: Genesis = {
      kind: 'genesis',
      name,
      founder: this.me,
      members: all.sort(),
      policy: policy.policy,
      at: this.needs.now(),
      nonce: randomBytes(12).toString('base64url'),
    };
    const { signed, cid } = await signEntry(this.needs.identity, genesis);
    this.#found(cid, signed);
    return this.state(cid);
  }

  /** Opens a proposal of mine; refused here, before anything is signed, when it could never pass as it is. */
  async propose(circle: string, change: Change, description: string, expiresInS?: number): Promise<ProposalState> {
    const state = this.#memberOf(circle);
    const invalid = this.#whyInvalid(circle, change);
    if (invalid !== undefined) throw new CircleError('bad_request', invalid);
    const now = this.needs.now();
    const period = state.policy.voting.voting_period_s;
    const open = state.proposals.filter((p) => p.status === 'open' && p.proposal.author === this.me).length;
    if (open >= state.policy.voting.max_open_per_member)
      throw new CircleError(
        'conflict',
        `you have ${open} proposals open in this circle, its most; wait for one to close`,
      );
    const entry: CircleEntry = {
      kind: 'proposal',
      circle,
      author: this.me,
      description,
      change,
      at: now,
      expires_at: now + Math.min(expiresInS ?? period, period) * 1000,
    };
    const cid = await this.#signAndAdd(circle, entry);
    return this.state(circle).proposals.find((p) => p.cid === cid)!;
  }

  /** My vote on an open proposal. */
  async vote(circle: string, proposal: string, choice: VoteChoice): Promise<ProposalState> {
    const held = this.#memberOf(circle).proposals.find((p) => p.cid === proposal);
    if (held === undefined) throw new CircleError('not_found', `no proposal ${proposal} in circle ${circle}`);
    if (held.status !== 'open')
      throw new CircleError('conflict', `proposal ${proposal} is ${held.status}: voting has closed`);
    // One vote a millisecond: a second at the same time would void both (resolve.ts); and after its
    // proposal, whose author's clock may be ahead of mine: a vote signed before it would never count.
    const at = Math.max(this.needs.now(), (held.votes.get(this.me)?.at ?? 0) + 1, held.proposal.at + 1);
    await this.#signAndAdd(circle, { kind: 'vote', circle, proposal, author: this.me, choice, at });
    return this.state(circle).proposals.find((p) => p.cid === proposal)!;
  }

  #memberOf(circle: string): CircleState {
    const state = this.state(circle);
    if (!state.members.includes(this.me))
      throw new CircleError('conflict', `you are no longer a member of circle ${circle}`);
    return state;
  }

  async #signAndAdd(circle: string, entry: CircleEntry): Promise<string> {
    const { signed, cid } = await signEntry(this.needs.identity, entry);
    this.#add(circle, [{ logged: { cid, entry }, signed }], false);
    return cid;
  }

  /** I join a circle: its founding and the rest of its log as I got it, stored; its topic followed. */
  #found(cid: string, signed: SignedEntry, rest: CheckedEntry[] = []): void {
    const entry = signed.entry as Genesis;
    this.needs.store.join(cid, this.needs.now());
    this.#logs.set(cid, { genesis: { cid, entry }, entries: new Map() });
    this.needs.emit('circle.joined', { circle: cid, name: entry.name });
    this.#add(cid, [{ logged: { cid, entry }, signed }, ...rest], true);
  }

  /** Entries a peer sent (`from`: who sent them, or the envelope's signer), checked one by one. */
  async take(from: string, circle: string, batch: readonly unknown[]): Promise<Intake> {
    const intake: Intake = { added: [], refused: [] };
    const refuse = (reason: string, culprit?: string, cid?: string): void => {
      intake.refused.push({ ...(cid ? { cid } : {}), reason });
      this.needs.log(`circle ${circle}: ${cid ?? 'an entry'} from ${from} refused: ${reason}`);
      if (culprit !== undefined) this.needs.penalize(culprit, reason.split(':')[0]!);
    };
    const checked: CheckedEntry[] = [];
    for (const raw of batch) {
      const one = await checkEntry(raw);
      if (!one.ok) refuse(one.error, from);
      else if ((one.logged.entry.kind === 'genesis' ? one.logged.cid : one.logged.entry.circle) !== circle)
        refuse(`entry ${one.logged.cid} is not of circle ${circle}`, from, one.logged.cid);
      else checked.push(one);
    }
    const log = this.#logs.get(circle);
    if (log === undefined) {
      // A circle on its way to me: only from a peer I trust, and joined once its log shows me a member.
      if (!this.needs.trusts(from)) refuse(`not_trusted: ${from} is not a peer I trust`);
      const whole = this.needs.trusts(from) ? this.#joining.take(circle, checked) : undefined;
      if (whole !== undefined) this.#found(circle, whole[0]!.signed, whole.slice(1));
      if (whole !== undefined) intake.added = whole.map((e) => e.logged.cid);
      return intake;
    }
    const fresh: CheckedEntry[] = [];
    const now = this.needs.now();
    for (const { logged, signed } of checked) {
      const author = authorOf(logged.entry);
      if (logged.entry.kind === 'genesis' || log.entries.has(logged.cid)) {
        continue; // a duplicate: gossip and syncs overlap, and that is no one's fault
      } else if (!this.talksWith(circle, author)) {
        refuse(`not_member: ${author} is not a member of circle ${circle}`, author, logged.cid);
      } else if (logged.entry.at > now + CLOCK_SKEW_MS) {
        const ahead = logged.entry.at - now;
        refuse(`from_the_future: entry ${logged.cid} is signed ${ahead} ms ahead of my clock`, undefined, logged.cid);
      } else if (logged.entry.kind === 'proposal' && this.#whyInvalid(circle, logged.entry.change) !== undefined) {
        refuse(`invalid_policy: ${this.#whyInvalid(circle, logged.entry.change)!}`, author, logged.cid);
      } else if (logged.entry.kind === 'proposal' && log.entries.size >= MAX_CIRCLE_ENTRIES) {
        refuse(`log_full: circle ${circle} holds ${MAX_CIRCLE_ENTRIES} entries, its most`, undefined, logged.cid);
      } else if (logged.entry.kind === 'proposal' && !this.#proposalRates.take(`${circle} ${author}`, now)) {
        refuse(`rate_limited: ${author} sent proposals faster than one a minute`, author, logged.cid);
      } else {
        fresh.push({ logged, signed });
      }
    }
    if (fresh.length > 0) {
      intake.added = this.#add(circle, fresh, false);
      const state = this.state(circle);
      for (const cid of intake.added) {
        const why = state.ignored.get(cid);
        if (why === undefined || why.startsWith('a later vote')) continue; // a member changing its mind
        // Only what no honest member signs is held against its author: a vote that crossed its
        // proposal's close, or came before the proposal, is a race, not a fault.
        const fault = FAULTS.some((f) => why.startsWith(f));
        refuse(
          `ignored: ${why}`,
          fault ? authorOf(this.#logs.get(circle)!.entries.get(cid)!.logged.entry) : undefined,
          cid,
        );
      }
    }
    return intake;
  }

  /** Why a proposed change could never apply to the circle's policy as it is (shares not summing to 100, say). */
  #whyInvalid(circle: string, change: Change): string | undefined {
    if (change.policy === undefined) return undefined;
    const applied = applyFragment(this.state(circle).policy, change.policy);
    return applied.ok ? undefined : `the policy it would make is not valid: ${applied.error}`;
  }

  /** Stores new entries, tells what changed, and passes them on. Returns the CIDs that were new. */
  #add(circle: string, entries: { logged: LoggedEntry; signed: SignedEntry }[], joined: boolean): string[] {
    const log = this.#logs.get(circle)!;
    const added = new Set(
      this.needs.store.add(
        circle,
        entries.map(({ logged, signed }) => ({ cid: logged.cid, signed })),
      ),
    );
    for (const e of entries) if (added.has(e.logged.cid) || e.logged.cid === circle) log.entries.set(e.logged.cid, e);
    if (added.size === 0) return [];
    this.#tell(circle);
    this.onAdded(
      circle,
      entries.filter((e) => added.has(e.logged.cid)).map((e) => e.signed),
      joined,
    );
    return [...added];
  }

  /**
   * The API's events for what changed since I last told (proposals opened, activations), and a
   * look again when the next open proposal's voting closes: a close may pass one with no new entry.
   */
  #tell(circle: string): void {
    const log = this.#logs.get(circle)!;
    const [before, after] = [log.told, this.state(circle)];
    log.told = after;
    clearTimeout(log.closeTimer);
    if (after !== before && Number.isFinite(log.resolved!.until))
      log.closeTimer = setTimeout(
        () => this.#tell(circle),
        Math.max(0, log.resolved!.until - this.needs.now()) + 1,
      ).unref();
    if (before === undefined || after === before) return;
    const known = new Set(before.proposals.map((p) => p.cid));
    for (const p of after.proposals)
      if (!known.has(p.cid) && p.status !== 'void')
        this.needs.emit('circle.proposal_opened', {
          circle,
          proposal: p.cid,
          author: p.proposal.author,
          description: p.proposal.description.slice(0, 500),
        });
    const last = after.history.at(-1);
    if (after.history.length === before.history.length && before.history.at(-1)?.proposal === last?.proposal) return;
    this.needs.log(
      `circle ${after.name}: policy version ${after.history.length}${last ? ` (${last.fields.join(', ')})` : ''}`,
    );
    this.needs.emit('circle.policy_changed', {
      circle,
      proposal: last?.proposal ?? '',
      fields: (last?.fields ?? []).join(', ').slice(0, 900),
      version: after.history.length,
    });
  }

  /** No more looks at closing votes. */
  stop(): void {
    for (const log of this.#logs.values()) clearTimeout(log.closeTimer);
  }
}
