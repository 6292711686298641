// The scale simulator: a mesh of thousands of peers (sim/mesh.ts) sharing a million units, in
// virtual time, through the real core: each provider's round is `allocate` (tiers and order by
// effective trust = weight × reputation, capacity scaled by its `DampingTracker`), its offers pass
// the credit limit (`creditLimit` / `creditRefusal`, as node/mesh/admission.ts asks them), each
// requester takes offers by `acceptByPolicy` (the node's 8-unit pipeline per provider), a paid
// unit moves `workerPart` of its price between the two peers and records a verified outcome in the
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
import {
  acceptByPolicy,
  allocate,
  DampingTracker,
  DEFAULT_ACCEPTANCE_POLICY,
  OFFER_TTL_MS,
  type AcceptanceContext,
} from '../src-main/core/scheduler/index.js';
import type {
  AvailabilitySlot,
  ComputeCommitment,
  Offer,
  PriceSchedule,
  WorkRequest,
  WorkUnit,
} from '../src-main/core/schemas/index.js';
import { effectiveTrust, emptyReputation, recordOutcome, reputationScore } from '../src-main/core/trust/index.js';
import { CONTRIBUTOR, FREE_RIDER, Mesh, type MeshShape } from './mesh.js';
import { stream } from './prng.js';

export const ROUND_MS = OFFER_TTL_MS;
const PUBLISH_INTERVAL_MS = 250;
const WAVES = ROUND_MS / PUBLISH_INTERVAL_MS;
const LISTED = 64;
const PIPELINE = 8;
const PRICE: PriceSchedule = { per_core_second: 1000, minimum: 10 }; // the node's default: 1 credit a core-second
const EPOCH = Date.UTC(2030, 0, 1);
/** A round is stable when fewer than this share of the providers that offered changed their damping factor. */
const STABLE_SHARE = 0.01;
const ALGORITHM = { algorithm_id: 'hash/sha256', version: '1.0.0', supported: true, performance_score: 1 };
const ONE_CORE = { cpu_cores: 1, ram_gb: 1 };

export interface ScaleScenario extends MeshShape {
  units: number;
  seed: number;
  /** Provider phases per round; 1 = every provider sees the same lists (the worst case for collisions). */
  waves?: number;
}

export interface ScaleOutcome {
  rounds: number;
  virtualSeconds: number;
  /** Units completed, and units completed more than once (must be 0). */
  completed: number;
  completedTwice: number;
  /** Provider rounds that ran more units than the provider has cores (must be 0). */
  overCapacity: number;
  /** Over the provider rounds where a friend still had units waiting that it could take: cores used / cores. */
  utilisation: number;
  contestedRounds: number;
  /** Of those rounds' cores: offered but refused, and never offered (damping, or too few units listed). */
  idleRefused: number;
  idleUnoffered: number;
  offers: number;
  refusals: Record<string, number>;
  creditRefusals: number;
  /** Units per virtual second from submission to the last unit paid, mean over each kind of requester. */
  freeRiderRate: number;
  contributorRate: number;
  /** The highest share of its credit limit a free-rider owed any provider at the end. */
  freeRiderDebtShareMax: number;
  /** Providers whose damping factor changed, per round, and the share of offering providers they were. */
  dampingChanges: number[];
  roundsToConverge: number;
}

interface Job {
  peer: number;
  name: string;
  first: number;
  size: number;
  /** The next unit never listed, and units not yet assigned. */
  cursor: number;
  open: number;
  done: number;
  finishedMs: number;
  listed: WorkUnit[];
  commitment: ComputeCommitment;
  inbox: Offer[];
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

  const trackers = new Map<number, DampingTracker>();
  const running: number[][] = Array.from({ length: n }, () => []);
  const acceptedIds: Array<Set<string>> = Array.from({ length: n }, () => new Set());
  const offered = new Int32Array(n);
  const used = new Int32Array(n);
  const price = workerPartOfUnit();
  const out = {
    contested: 0,
    contestedCores: 0,
    usedCores: 0,
    idleRefused: 0,
    idleUnoffered: 0,
    offers: 0,
    creditRefusals: 0,
    overCapacity: 0,
    refusals: {} as Record<string, number>,
  };
  const dampingChanges: number[] = [];
  const offeringByRound: number[] = [];
  let remaining = jobs.length;
  let round = 0;

  /** What a provider pays in a unit's escrow and what a paid unit moves (its worker share). */
  function workerPartOfUnit() {
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

  /** How many more units requester r may have of p now: its credit limit with p, as admission.ts counts it. */
  function creditRoom(p: number, r: number): number {
    const e = mesh.edge(p, r);
    const headroom = creditLimit(mesh.weight[e]!) + mesh.balance[e]! - mesh.held[e]!;
    return headroom < 0 ? 0 : Math.floor(headroom / price.escrow);
  }

  function trustOf(e: number, nowMs: number): number {
    const rep = mesh.reputation[e];
    return effectiveTrust(mesh.weight[e]!, rep ? reputationScore(rep, nowMs) : 0.5);
  }

  /** Provider p's round at nowMs: its offers go to the requesters' inboxes. Returns whether any friend had work for it. */
  function providerRound(p: number, nowMs: number, tracker: DampingTracker): boolean {
    const candidates: ComputeCommitment[] = [];
    const myTrust: Record<string, number> = {};
    for (const r of mesh.friendRequesters[p]!) {
      const job = jobs[mesh.jobOf[r]!]!;
      if (job.open === 0) continue;
      const room = creditRoom(p, r);
      if (room === 0) continue;
      candidates.push(room >= job.listed.length ? job.commitment : withUnits(job, job.listed.slice(0, room)));
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
        contribution_history: {
          total_work_units_completed: 0,
          total_compute_hours: 0,
          average_result_quality: 0.5,
          reliability_score: 0.5,
        },
        damping_factor,
        over_allocation_history,
        timestamp: new Date(nowMs).toISOString(),
        vector_clock: {},
      },
      requesters: candidates,
      round,
      nowMs,
      price: PRICE,
      myTrust,
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
      jobs[mesh.jobOf[mesh.peerOf(offer.requester_peer)]!]!.inbox.push(offer);
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
      reputationOf: (peer) => {
        const rep = mesh.reputation[mesh.edge(job.peer, mesh.peerOf(peer))];
        return rep ? reputationScore(rep, nowMs) : 0.5;
      },
      acceptedProviders: () => [], // listed units are unassigned, and each wants one worker
      budgetLeft: () => Number.MAX_SAFE_INTEGER,
      // A provider's units of its last round have ended by its next round: nothing is in flight with it.
      providerRoom: () => PIPELINE,
    };
    const { acceptances, refusals } = acceptByPolicy(ctx, job.listed, job.inbox);
    for (const refusal of refusals) out.refusals[refusal.code] = (out.refusals[refusal.code] ?? 0) + 1;
    const taken = new Set<string>();
    for (const a of acceptances) {
      const u = Number(a.unit_id.slice(1));
      if (assigned[u]) throw new Error(`unit ${u} assigned twice`);
      assigned[u] = 1;
      job.open--;
      const q = mesh.peerOf(a.provider_peer);
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
    if (acceptances.length > 0) relist(job, assigned);
  }

  /** After its phase: p's round counts towards utilisation when a friend still had units it could take. */
  function account(p: number): void {
    const cores = mesh.cores[p]!;
    if (used[p]! > cores) out.overCapacity++;
    const waiting = mesh.friendRequesters[p]!.some((r) => jobs[mesh.jobOf[r]!]!.open > 0 && creditRoom(p, r) > 0);
    if (waiting) {
      out.contested++;
      out.contestedCores += cores;
      out.usedCores += used[p]!;
      out.idleRefused += Math.min(cores, offered[p]!) - used[p]!;
      out.idleUnoffered += Math.max(0, cores - offered[p]!);
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
        const before = tracker.state.damping_factor;
        const ids = acceptedIds[p]!;
        tracker.resolve(nowMs, (id) => ids.has(id));
        ids.clear();
        if (tracker.state.damping_factor !== before) changed++;
        if (providerRound(p, nowMs, tracker) && offered[p]! > 0) offering++;
      }
      for (const job of jobs) if (job.inbox.length > 0) accept(job, nowMs);
      for (const p of actors) account(p);
    }
    dampingChanges.push(changed);
    offeringByRound.push(offering);
  }

  let total = 0;
  for (const c of completedCount) total += c;
  const rateOf = (kind: number) => {
    const rates = jobs
      .filter((job) => mesh.role[job.peer] === kind)
      .map((job) => job.size / ((job.finishedMs - EPOCH) / 1000));
    return rates.reduce((s, x) => s + x, 0) / rates.length;
  };
  let debtShare = 0;
  for (const job of jobs) {
    if (mesh.role[job.peer] !== FREE_RIDER) continue;
    for (let e = mesh.offset[job.peer]!; e < mesh.offset[job.peer + 1]!; e++) {
      const provider = mesh.neighbour[e]!;
      const pr = mesh.edge(provider, job.peer);
      debtShare = Math.max(debtShare, -mesh.balance[pr]! / creditLimit(mesh.weight[pr]!));
    }
  }
  const contested = Math.max(1, out.contestedCores);
  return {
    rounds: round,
    virtualSeconds: (round * ROUND_MS) / 1000,
    completed: total,
    completedTwice: completedCount.filter((c) => c > 1).length,
    overCapacity: out.overCapacity,
    utilisation: out.usedCores / contested,
    contestedRounds: out.contested,
    idleRefused: out.idleRefused / contested,
    idleUnoffered: out.idleUnoffered / contested,
    offers: out.offers,
    refusals: out.refusals,
    creditRefusals: out.creditRefusals,
    freeRiderRate: rateOf(FREE_RIDER),
    contributorRate: rateOf(CONTRIBUTOR),
    freeRiderDebtShareMax: debtShare,
    dampingChanges,
    roundsToConverge: convergedAt(dampingChanges, offeringByRound),
  };
}

/** The first round from which every round is stable (see STABLE_SHARE); the round count if none is. */
function convergedAt(changes: readonly number[], offering: readonly number[]): number {
  let from = changes.length;
  for (let r = changes.length - 1; r >= 0; r--) {
    if (changes[r]! > STABLE_SHARE * Math.max(1, offering[r]!)) break;
    from = r;
  }
  return from;
}

function newJob(mesh: Mesh, peer: number, j: number, size: number): Job {
  const name = mesh.names[peer]!;
  const request: WorkRequest = {
    request_id: `r${j}`,
    requester_id: name,
    job_id: `j${j}`,
    work_units: [],
    timestamp: new Date(EPOCH).toISOString(),
  };
  return {
    peer,
    name,
    first: j * size,
    size,
    cursor: 0,
    open: size,
    done: 0,
    finishedMs: 0,
    listed: [],
    inbox: [],
    commitment: {
      peer_id: name,
      availability_slots: [],
      work_requests: [request],
      trust_weights: mesh.trustWeights(peer),
      contribution_history: {
        total_work_units_completed: 0,
        total_compute_hours: 0,
        average_result_quality: 0.5,
        reliability_score: 0.5,
      },
      damping_factor: 1,
      over_allocation_history: [],
      timestamp: request.timestamp,
      vector_clock: {},
    },
  };
}

/** The job's first LISTED unassigned units, as its commitment lists them. */
function relist(job: Job, assigned: Uint8Array): void {
  const listed = job.listed.filter((unit) => !assigned[Number(unit.unit_id.slice(1))]);
  while (listed.length < LISTED && job.cursor < job.size) {
    const u = job.first + job.cursor++;
    listed.push({
      unit_id: `u${u}`,
      job_id: job.commitment.work_requests[0]!.job_id,
      algorithm_id: ALGORITHM.algorithm_id,
      algorithm_version: ALGORITHM.version,
      required_resources: ONE_CORE,
      estimated_duration_seconds: ROUND_MS / 1000,
      priority: 0.5,
      verification_redundancy: 1,
    });
  }
  job.listed = listed;
  job.commitment = withUnits(job, listed);
}

function withUnits(job: Job, units: WorkUnit[]): ComputeCommitment {
  const request = job.commitment.work_requests[0]!;
  return { ...job.commitment, work_requests: [{ ...request, work_units: units }] };
}

/** A provider's slot for one round: its cores, from now for one round. */
function slotOf(cores: number, nowMs: number): AvailabilitySlot {
  return {
    slot_id: 'cpu',
    start_time: new Date(nowMs).toISOString(),
    end_time: new Date(nowMs + ROUND_MS).toISOString(),
    resources: { cpu_cores: cores, ram_gb: 2 * cores },
    algorithms: [ALGORITHM],
    priority: 0.5,
  };
}
