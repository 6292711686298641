// The scale simulator: a mesh of thousands of peers (sim/mesh.ts) sharing a million units, in
// virtual time, through the real core: each provider's round is `allocate` (tiers and order by
// effective trust = weight × reputation, those that give back first, capacity scaled by its
// `DampingTracker`, each requester no more than its pipeline), its offers pass the credit limit
// (`creditLimit` / `creditRefusal`) and a free-rider's trickle (`freeRiderRoom`, for a requester
// `heldToTrickle`), as node/mesh/provider/admission.ts asks them, each requester takes offers by
// `acceptByPolicy` (the node's pipeline per provider: `pipelineFor` its cores), a paid unit moves
// `workerPart` of its price between the two peers and records a verified outcome in the
// requester's reputation of the provider (`recordOutcome`).
//
// What is real and what is aggregated:
// - Every unit is a real WorkUnit, offered and accepted by the core one by one. A unit takes one
//   core for one round (ROUND_MS), so a provider's round offers its cores × ROUND_MS, and its
//   units of the last round have ended (and are paid) when its next round starts.
// - A requester's commitment lists its first LISTED unassigned units, not all of them (the node's
//   lists every open unit; a provider places at most 16 a round, so the rest would only cost time).
// - No verification, no failures, no churn: every peer is honest and always there (sim/sabotage.ts
//   covers verification). Balances and escrows are sums per directed edge, not ledger entries.
// - Time: a round is ROUND_MS = OFFER_TTL_MS, so an unaccepted offer has lapsed by its provider's
//   next round. Providers act in WAVES phases per round; those of a phase see the requesters'
//   lists as the previous phase left them (a commitment is republished every 250 ms), so
//   providers of one phase compete for the same units.
import { creditLimit, creditRefusal, WORKER_SHARE_BPS, workerPart } from '../src-main/core/ledger/index.js';
import { FREE_RIDER_LIMIT, freeRiderRoom } from '../src-main/core/policy/index.js';
import {
  acceptByPolicy,
  allocate,
  DampingTracker,
  DEFAULT_ACCEPTANCE_POLICY,
  givesBack,
  heldToTrickle,
  pipelineFor,
  type AcceptanceContext,
} from '../src-main/core/scheduler/index.js';
import type { ComputeCommitment, Offer, PriceSchedule } from '../src-main/core/schemas/index.js';
import { effectiveTrust, emptyReputation, recordOutcome, reputationScore } from '../src-main/core/trust/index.js';
import {
  EPOCH,
  fromOwnStart,
  isoAt,
  newJob,
  NO_HISTORY,
  relist,
  ROUND_MS,
  slotOf,
  withUnits,
  type Job,
} from './jobs.js';
import { FREE_RIDER, Mesh, type MeshShape } from './mesh.js';
import { stream } from './prng.js';
import { outcomeOf, type ScaleOutcome, type Tally } from './scale-outcome.js';

export type { ScaleOutcome } from './scale-outcome.js';

const PUBLISH_INTERVAL_MS = 250;
const WAVES = ROUND_MS / PUBLISH_INTERVAL_MS;
const PRICE: PriceSchedule = { per_core_second: 1000, minimum: 10 }; // the node's default: 1 credit a core-second

export interface ScaleScenario extends MeshShape {
  units: number;
  seed: number;
  /** Provider phases per round; 1 = every provider sees the same lists (the worst case for collisions). */
  waves?: number;
}

export function simulateScale(scenario: ScaleScenario): ScaleOutcome {
  const random = stream(scenario.seed);
  const mesh = new Mesh(scenario, random);
  const waves = scenario.waves ?? WAVES;
  const n = scenario.peers;
  const phase = Int32Array.from({ length: n }, () => Math.floor(random() * waves));
  const byWave = Array.from({ length: waves }, () => [] as number[]);
  for (let p = 0; p < n; p++) if (mesh.role[p] !== FREE_RIDER) byWave[phase[p]!]!.push(p);

  const perJob = Math.floor(scenario.units / scenario.requesters);
  const assigned = new Uint8Array(perJob * scenario.requesters);
  const completedCount = new Uint8Array(assigned.length);
  const jobs: Job[] = [...mesh.requesters].map((peer, j) => newJob(mesh, peer, j, perJob));
  const jobOfUnit = (u: number) => Math.floor(u / perJob);
  for (const job of jobs) relist(job, assigned);
  /** Per job: its units not yet assigned. */
  const open = Int32Array.from(jobs, (job) => job.size);
  /** Per job: whether its commitment lists a work request (a unit unassigned), read where a lookup through the job would cost a cache miss. */
  const requesting = Uint8Array.from(jobs, (job) => (job.commitment.work_requests.length > 0 ? 1 : 0));
  /** Per job: whether its commitment shows that it gives nothing back; per edge p → r to such a requester, when p accepted its units. */
  const freeRiders = jobs.map((job) => !givesBack(job.commitment));
  const freeRiderUnits = new Map<number, number[]>();
  /** Per provider: whether a contributor it trusts waited at its round this phase, and whether any friend of it contributes. */
  const contended = new Uint8Array(n);
  const contributorFriend = Uint8Array.from(mesh.friendRequesters, (friends) =>
    friends.some((r) => !freeRiders[mesh.jobOf[r]!]) ? 1 : 0,
  );
  /** Per kind (0 contributor, 1 free-rider): provider rounds contended while it had units open, and units it got from them. */
  const contendedRounds = [0, 0];
  const contendedUnits = [0, 0];
  const freeRiderService = { contended: 0, contributorsServed: 0, noContributorFriend: 0 };

  const trackers = new Map<number, DampingTracker>();
  const running: number[][] = Array.from({ length: n }, () => []);
  const acceptedIds: Array<Set<string>> = Array.from({ length: n }, () => new Set());
  const offered = new Int32Array(n);
  /** The jobs whose inbox got an offer this phase. */
  const withOffers: number[] = [];
  const used = new Int32Array(n);
  const price = unitPrice();
  const out: Tally = {
    contested: 0,
    contestedCores: 0,
    usedCores: 0,
    idleRefused: 0,
    idleUnoffered: 0,
    offers: 0,
    creditRefusals: 0,
    overCapacity: 0,
    overTrickle: 0,
    refusals: {},
  };
  const dampingChanges: number[] = [];
  const offeringByRound: number[] = [];
  const utilisationByRound: number[] = [];
  let roundCores = 0;
  let roundUsed = 0;
  let remaining = jobs.length;
  let round = 0;

  /** What a unit's escrow holds (priceFor's per-core-second price) and what paying it moves (its worker share). */
  function unitPrice() {
    const escrow = Math.max(PRICE.minimum, Math.ceil((PRICE.per_core_second * ROUND_MS) / 1000));
    return { escrow, paid: workerPart(escrow, WORKER_SHARE_BPS) };
  }

  /** The units p ran last round have ended: each is paid, and its requester records a verified result. */
  function settle(p: number, nowMs: number): void {
    for (const u of running[p]!) {
      const job = jobs[jobOfUnit(u)]!;
      const pr = mesh.edge(p, job.peer);
      const rp = mesh.edge(job.peer, p);
      mesh.held[pr] = mesh.held[pr]! - price.escrow;
      mesh.balance[pr] = mesh.balance[pr]! - price.paid;
      mesh.balance[rp] = mesh.balance[rp]! + price.paid;
      mesh.reputation[rp] = recordOutcome(mesh.reputation[rp] ?? emptyReputation(), 'verified', nowMs);
      if (++completedCount[u]! > 1) throw new Error(`unit ${u} completed twice`);
      if (++job.done === job.size) {
        job.finishedMs = nowMs;
        remaining--;
      }
    }
    running[p] = [];
  }

  /** Adds a unit accepted at nowMs to edge e's trickle history, dropping the times its window has passed (time only grows). */
  function recordTrickled(e: number, nowMs: number): void {
    const windowStart = nowMs - FREE_RIDER_LIMIT.per_seconds * 1000;
    const history = (freeRiderUnits.get(e) ?? []).filter((t) => t > windowStart);
    history.push(nowMs);
    freeRiderUnits.set(e, history);
  }

  /** Whether the provider of edge e holds requester r to a free-rider's trickle: r's commitment shows it gives nothing back, and e's weight is below full trust. */
  const trickled = (e: number, r: number) => heldToTrickle(!freeRiders[mesh.jobOf[r]!], mesh.weight[e]!);

  /** How many more units requester r may have of p now, as admission.ts counts them: its credit limit with p, and a free-rider's trickle. */
  function room(p: number, r: number, nowMs: number): number {
    const e = mesh.edge(p, r);
    const headroom = creditLimit(mesh.weight[e]!) + mesh.balance[e]! - mesh.held[e]!;
    const credit = headroom < 0 ? 0 : Math.floor(headroom / price.escrow);
    if (!trickled(e, r)) return credit;
    return Math.min(credit, freeRiderRoom(freeRiderUnits.get(e) ?? [], nowMs));
  }

  /**
   * For the contended figures only: whether a requester that gives back, and that p trusts, has
   * units waiting (a job with no unit open lists no request).
   */
  // Whether a job gives back, and a provider's weight in it, never change here: only whether units wait.
  const contributorJobs = mesh.friendRequesters.map((friends, p) =>
    friends
      .map((r) => mesh.jobOf[r]!)
      .filter((j) => givesBack(jobs[j]!.commitment) && mesh.weight[mesh.edge(p, jobs[j]!.peer)]! > 0),
  );
  function contributorWaiting(p: number): boolean {
    for (const j of contributorJobs[p]!) if (requesting[j]) return true;
    return false;
  }

  const scoreOf = (e: number, nowMs: number) => reputationScore(mesh.reputation[e] ?? emptyReputation(), nowMs);
  const trustOf = (e: number, nowMs: number) => effectiveTrust(mesh.weight[e]!, scoreOf(e, nowMs));

  /** Provider p's round at nowMs: its offers go to the requesters' inboxes. Returns whether any friend had work for it. */
  function providerRound(p: number, nowMs: number, tracker: DampingTracker): boolean {
    const candidates: ComputeCommitment[] = [];
    const myTrust: Record<string, number> = {};
    const waiting = contributorWaiting(p);
    contended[p] = waiting ? 1 : 0;
    for (const r of mesh.friendRequesters[p]!) {
      const j = mesh.jobOf[r]!;
      if (open[j] === 0) continue;
      const job = jobs[j]!;
      if (waiting) contendedRounds[freeRiders[j] ? 1 : 0]!++;
      const left = room(p, r, nowMs);
      if (left === 0) continue;
      candidates.push(left >= job.listed.length ? job.commitment : withUnits(job, fromOwnStart(job.listed, left, p)));
      myTrust[job.name] = trustOf(mesh.edge(p, r), nowMs);
    }
    if (candidates.length === 0) return false;
    const { damping_factor, over_allocation_history } = tracker.state;
    const allocation = allocate({
      provider: {
        peer_id: mesh.names[p]!,
        availability_slots: [slotOf(mesh.cores[p]!, nowMs)],
        work_requests: [],
        trust_weights: {}, // allocate reads myTrust
        contribution_history: NO_HISTORY, // self-reported: nothing reads a peer's
        damping_factor,
        over_allocation_history,
        timestamp: isoAt(nowMs),
        vector_clock: {},
      },
      requesters: candidates,
      round,
      nowMs,
      price: PRICE,
      myTrust,
      // Its units of last round have ended, so each requester takes a full pipeline from p.
      requesterRoom: () => pipelineFor(mesh.cores[p]!),
    });
    const made: Offer[] = [];
    for (const offer of allocation.offers) {
      const e = mesh.edge(p, mesh.peerOf(offer.requester_peer));
      const position = { balance: mesh.balance[e]!, held: mesh.held[e]! };
      if (creditRefusal(creditLimit(mesh.weight[e]!), position, offer.price) !== undefined) {
        out.creditRefusals++;
        continue;
      }
      mesh.held[e] = mesh.held[e]! + offer.price; // counted as taken until it lapses (admission.ts)
      made.push(offer);
      const j = mesh.jobOf[mesh.peerOf(offer.requester_peer)]!;
      if (jobs[j]!.inbox.push(offer) === 1) withOffers.push(j);
    }
    tracker.offered(
      made.map((o) => o.offer_id),
      nowMs,
    );
    offered[p] = made.length;
    out.offers += made.length;
    return true;
  }

  /** Requester `job` takes the offers of this phase by policy. */
  function accept(job: Job, nowMs: number): void {
    const ctx: AcceptanceContext = {
      me: job.name,
      nowMs,
      policy: DEFAULT_ACCEPTANCE_POLICY,
      trustIn: (peer) => trustOf(mesh.edge(job.peer, mesh.peerOf(peer)), nowMs),
      reputationOf: (peer) => scoreOf(mesh.edge(job.peer, mesh.peerOf(peer)), nowMs),
      acceptedProviders: () => [], // listed units are unassigned, and each wants one worker
      budgetLeft: () => Number.MAX_SAFE_INTEGER,
      // A provider's units of its last round have ended by its next round: nothing is in flight with it.
      providerRoom: (peer) => pipelineFor(mesh.cores[mesh.peerOf(peer)]!),
    };
    // As the node does (node/mesh/requester/offer-acceptance.ts): only the units that have offers, in the order listed.
    const offeredUnits = new Set(job.inbox.map((offer) => Number(offer.unit_id.slice(1))));
    const units = job.listed.filter((_, i) => offeredUnits.has(job.listedNumbers[i]!));
    const { acceptances, refusals } = acceptByPolicy(ctx, units, job.inbox);
    for (const refusal of refusals) out.refusals[refusal.code] = (out.refusals[refusal.code] ?? 0) + 1;
    const taken = new Set<string>();
    for (const a of acceptances) {
      const u = Number(a.unit_id.slice(1));
      if (assigned[u]) throw new Error(`unit ${u} assigned twice`);
      assigned[u] = 1;
      open[mesh.jobOf[job.peer]!]!--;
      const q = mesh.peerOf(a.provider_peer);
      const freeRider = freeRiders[mesh.jobOf[job.peer]!]!;
      if (contended[q]) contendedUnits[freeRider ? 1 : 0]!++;
      if (freeRider) {
        const e = mesh.edge(q, job.peer);
        if (trickled(e, job.peer) && freeRiderRoom(freeRiderUnits.get(e) ?? [], nowMs) <= 0) out.overTrickle++;
        if (contended[q]) freeRiderService.contended++;
        else if (contributorFriend[q]) freeRiderService.contributorsServed++;
        else freeRiderService.noContributorFriend++;
        recordTrickled(e, nowMs);
      }
      running[q]!.push(u);
      used[q]!++;
      acceptedIds[q]!.add(a.offer_id);
      taken.add(a.offer_id);
    }
    // A refused offer lapses: its hold is released (accepted ones stay held in escrow until paid).
    for (const offer of job.inbox) {
      if (taken.has(offer.offer_id)) continue;
      const e = mesh.edge(mesh.peerOf(offer.provider_peer), job.peer);
      mesh.held[e] = mesh.held[e]! - offer.price;
    }
    job.inbox = [];
    if (acceptances.length > 0) {
      relist(job, assigned);
      requesting[mesh.jobOf[job.peer]!] = job.commitment.work_requests.length > 0 ? 1 : 0;
    }
  }

  /**
   * After its phase: p's round counts towards utilisation when a friend still had units it could
   * take; its cores then count as far as those friends could have taken them (each its credit room
   * or a free-rider's trickle, its pipeline with p, its open units), as p's admission would let them.
   */
  function account(p: number, nowMs: number): void {
    const cores = mesh.cores[p]!;
    if (used[p]! > cores) out.overCapacity++;
    let takeable = 0;
    for (const r of mesh.friendRequesters[p]!) {
      const j = mesh.jobOf[r]!;
      if (open[j] === 0) continue;
      const taken = running[p]!.reduce((k, u) => k + (jobOfUnit(u) === j ? 1 : 0), 0);
      takeable += Math.max(0, Math.min(room(p, r, nowMs), open[j]!, pipelineFor(cores) - taken));
    }
    if (takeable > 0) {
      const usable = Math.min(cores, used[p]! + takeable);
      roundCores += usable;
      roundUsed += used[p]!;
      out.contested++;
      out.contestedCores += usable;
      out.usedCores += used[p]!;
      out.idleRefused += Math.max(0, Math.min(usable, offered[p]!) - used[p]!);
      out.idleUnoffered += Math.max(0, usable - offered[p]!);
    }
    offered[p] = 0;
    used[p] = 0;
  }

  for (; remaining > 0; round++) {
    if (round > 100_000) throw new Error('the scale simulation does not finish');
    let changed = 0;
    let offering = 0;
    for (let w = 0; w < waves; w++) {
      const nowMs = EPOCH + round * ROUND_MS + Math.floor((w * ROUND_MS) / waves);
      const actors = byWave[w]!;
      for (const p of actors) {
        settle(p, nowMs);
        let tracker = trackers.get(p);
        if (!tracker) trackers.set(p, (tracker = new DampingTracker()));
        const before = tracker.dampingFactor;
        const ids = acceptedIds[p]!;
        tracker.resolve(nowMs, (id) => ids.has(id));
        if (ids.size > 0) ids.clear(); // clearing allocates a new table, even for an empty set
        if (tracker.dampingFactor !== before) changed++;
        if (providerRound(p, nowMs, tracker) && offered[p]! > 0) offering++;
      }
      // In job order, as a scan of all jobs would take them.
      for (const j of withOffers.sort((a, b) => a - b)) accept(jobs[j]!, nowMs);
      withOffers.length = 0;
      for (const p of actors) account(p, nowMs);
    }
    dampingChanges.push(changed);
    utilisationByRound.push(roundCores > 0 ? roundUsed / roundCores : 1);
    roundCores = roundUsed = 0;
    offeringByRound.push(offering);
  }

  return outcomeOf({
    mesh,
    jobs,
    rounds: round,
    completed: completedCount.filter((c) => c === 1).length,
    out,
    contendedRounds,
    contendedUnits,
    freeRiderService,
    dampingChanges,
    offeringByRound,
    utilisationByRound,
  });
}
