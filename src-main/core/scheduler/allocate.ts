// One provider's round (docs/PROTOCOL.md, "The round"): place other peers' open units into my
// slots, tier 1 before tier 2, and turn every placement into an offer. An offer runs nothing until
// its requester accepts it (accept.ts).
//
// Order: tier 1 (bilateral trust) before tier 2 (one-way trust) across all slots; within a tier,
// requesters that give back before those that do not (reciprocity.ts), then requester trust desc, unit priority desc, data locality desc (a dataset the slot lists, or an input I hold), then input order
// (requesters by peer id, their units as listed, from a start of the provider's own when a
// requester's room is given: `rotated`), so the result is a pure function of the input.
// Unlike the per-slot baseline (bench/seed-scheduler.ts), each unit gets at most one offer from a
// provider (the baseline placed it once per slot), no dimension is ever over-allocated (see
// compatibility.ts for the capacity model), and ids are deterministic: `<provider>#<round>.<n>`.
import type {
  AvailabilitySlot,
  ComputeCommitment,
  ComputeResource,
  Offer,
  PriceSchedule,
  WorkUnit,
} from '../schemas/index.js';
import {
  algorithmKey,
  dataLocalityScore,
  DIMENSIONS,
  resourceVector,
  slotPerformance,
  slotSeconds,
  writeResources,
} from './compatibility.js';
import { offerPrice } from './pricing.js';
import { standingOf, type PeerStanding, type Tier, type TrustContext } from './trust-tiers.js';

const D = DIMENSIONS.length;

export interface AllocationInput {
  /** My commitment: slots, trust weights and damping factor. */
  provider: ComputeCommitment;
  /** Other peers' commitments; their work requests are the demand. */
  requesters: Iterable<ComputeCommitment>;
  round: number;
  nowMs: number;
  price: PriceSchedule;
  /** My effective trust per peer (defaults to the provider's published weights). */
  myTrust?: Readonly<Record<string, number>>;
  /** Trust for peers with no weight (an open market); 0 by default. */
  defaultTrust?: number;
  /** Units not to offer for, as `unitKey(requester, unit_id)`: covered already, or mine already. */
  skip?: ReadonlySet<string>;
  /** Work I have promised already (open offers, running assignments): it fills its slot first. */
  reserved?: readonly Reservation[];
  /**
   * How many more units of mine each requester would take now (its pipeline with me, less what I
   * run or offer it already); unlimited when absent. Past it, my slots go to the next requesters:
   * offers a requester would refuse would only hold capacity idle until they lapse.
   */
  requesterRoom?: (peer: string) => number;
  /** Whether I hold a blob already: within their rank, units whose input I hold are offered first (data locality). */
  holds?: (cid: string) => boolean;
  /** Added to a unit's priority (a circle's boost for its members' units), the sum at most 1. */
  boost?: (unit: WorkUnit) => number;
}

/** A placement made in an earlier round that still holds its share of a slot. */
export interface Reservation {
  slot_id: string;
  resources: ComputeResource;
  seconds: number;
}

interface SlotUsage {
  slot_id: string;
  /** Resource-seconds per dimension (DIMENSIONS order), after damping. */
  capacity: number[];
  used: number[];
  tier1: number;
  tier2: number;
}

export interface Allocation {
  round: number;
  offers: Offer[];
  /** The unit each offer is for, index for index. */
  units: WorkUnit[];
  slots: SlotUsage[];
}

export function unitKey(requester: string, unitId: string): string {
  return `${requester}\u0000${unitId}`;
}

/** The open demand, flattened into parallel typed arrays so the placement loop stays cheap. */
interface Demand {
  units: WorkUnit[];
  requester: string[];
  need: Float64Array; // D entries per unit
  seconds: Float64Array; // estimate on a reference machine
  algorithm: Int32Array; // index into algorithms
  algorithms: string[];
  /** Unit indices in placement order, in runs that tie on (tier, gives back, trust, priority); tier 1 first. */
  order: Uint32Array;
  groups: Array<{ start: number; end: number; tier: Tier; usesData: boolean }>;
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Requesters that get anything from me, best first: tier, then those that give back, then trust desc, then peer id. */
function rankedRequesters(input: AllocationInput): Array<{ commitment: ComputeCommitment; standing: PeerStanding }> {
  const ctx: TrustContext = {
    me: input.provider.peer_id,
    myTrust: input.myTrust ?? input.provider.trust_weights,
    defaultTrust: input.defaultTrust ?? 0,
  };
  const ranked: Array<{ commitment: ComputeCommitment; standing: PeerStanding }> = [];
  for (const commitment of input.requesters) {
    const standing = standingOf(ctx, commitment);
    if (standing) ranked.push({ commitment, standing });
  }
  return ranked.sort(
    (a, b) =>
      a.standing.tier - b.standing.tier ||
      Number(b.standing.givesBack) - Number(a.standing.givesBack) ||
      b.standing.trust - a.standing.trust ||
      byId(a.standing.peer, b.standing.peer),
  );
}

/**
 * A requester's listed units from a starting point of this provider's own (a hash of its id): when
 * each provider offers only what the requester takes of it at once, providers that all began at
 * the first unit would offer the same few and all but one lose them; now they offer different ones.
 */
function rotated(units: readonly WorkUnit[], provider: string): readonly WorkUnit[] {
  if (units.length < 2) return units;
  let hash = 0;
  for (let i = 0; i < provider.length; i++) hash = (Math.imul(hash, 31) + provider.charCodeAt(i)) >>> 0;
  const start = hash % units.length;
  return [...units.slice(start), ...units.slice(0, start)];
}

function collectDemand(input: AllocationInput): Demand {
  const units: WorkUnit[] = [];
  const requester: string[] = [];
  const rankStarts: Array<{ start: number; tier: Tier }> = []; // where each (tier, gives back, trust) rank begins
  const algorithms: string[] = [];
  const algorithmIndex = new Map<string, Map<string, number>>(); // id -> version -> index
  const algorithmOf: number[] = [];
  let previous: PeerStanding | undefined;
  for (const { commitment, standing } of rankedRequesters(input)) {
    const sameRank =
      previous?.tier === standing.tier &&
      previous.givesBack === standing.givesBack &&
      previous.trust === standing.trust;
    if (!sameRank) {
      rankStarts.push({ start: units.length, tier: standing.tier });
    }
    previous = standing;
    const listed = commitment.work_requests.flatMap((request) =>
      // A request must be its author's own, and still wanted.
      request.requester_id !== commitment.peer_id ||
      (request.deadline !== undefined && Date.parse(request.deadline) <= input.nowMs)
        ? []
        : request.work_units.filter((unit) => !input.skip?.has(unitKey(commitment.peer_id, unit.unit_id))),
    );
    // Only a provider that offers a requester part of its units at once needs its own order.
    for (const unit of input.requesterRoom ? rotated(listed, input.provider.peer_id) : listed) {
      let versions = algorithmIndex.get(unit.algorithm_id);
      if (!versions) algorithmIndex.set(unit.algorithm_id, (versions = new Map()));
      let a = versions.get(unit.algorithm_version);
      if (a === undefined) {
        versions.set(unit.algorithm_version, (a = algorithms.length));
        algorithms.push(algorithmKey(unit.algorithm_id, unit.algorithm_version));
      }
      units.push(unit);
      requester.push(commitment.peer_id);
      algorithmOf.push(a);
    }
  }
  const n = units.length;
  const need = new Float64Array(n * D);
  const seconds = new Float64Array(n);
  const priority = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = units[i]!;
    writeResources(u.required_resources, need, i * D);
    seconds[i] = u.estimated_duration_seconds;
    priority[i] = Math.min(1, u.priority + (input.boost?.(u) ?? 0));
  }
  // Units are already in (tier, gives back, trust, requester, listed) order; within each rank, order by priority.
  const order = new Uint32Array(n);
  const groups: Demand['groups'] = [];
  rankStarts.forEach(({ start, tier }, r) => {
    const end = rankStarts[r + 1]?.start ?? n;
    for (const bucket of sortByPriority(order, start, end, priority)) {
      let usesData = false;
      for (let k = bucket.start; k < bucket.end; k++) {
        const u = units[order[k]!]!;
        usesData ||=
          u.required_dataset !== undefined || (u.input_cid !== undefined && input.holds?.(u.input_cid) === true);
      }
      groups.push({ ...bucket, tier, usesData });
    }
  });
  return { units, requester, need, seconds, algorithm: Int32Array.from(algorithmOf), algorithms, order, groups };
}

/**
 * Fills order[start..end) with the indices start..end-1 by priority, highest first, keeping index
 * order among equals (a counting sort: priorities take few distinct values), and returns the runs
 * of equal priority.
 */
function sortByPriority(
  order: Uint32Array,
  start: number,
  end: number,
  priority: Float64Array,
): Array<{ start: number; end: number }> {
  // Most often one priority (a job's units share theirs): index order, one run.
  let same = true;
  for (let i = start + 1; i < end && same; i++) same = priority[i] === priority[start];
  if (same) {
    for (let i = start; i < end; i++) order[i] = i;
    return end > start ? [{ start, end }] : [];
  }
  const distinct = [...new Set(priority.subarray(start, end))].sort((a, b) => b - a);
  const bucketOf = new Map(distinct.map((p, b) => [p, b]));
  const next = new Uint32Array(distinct.length + 1);
  for (let i = start; i < end; i++) next[bucketOf.get(priority[i]!)! + 1]!++;
  for (let b = 0; b < distinct.length; b++) next[b + 1]! += next[b]!;
  const runs = distinct.map((_, b) => ({ start: start + next[b]!, end: start + next[b + 1]! }));
  for (let i = start; i < end; i++) order[start + next[bucketOf.get(priority[i]!)!]!++] = i;
  return runs;
}

/** A slot while it is being filled. */
interface OpenSlot {
  slot: AvailabilitySlot;
  startMs: number;
  endMs: number;
  seconds: number;
  caps: Float64Array;
  remaining: Float64Array;
  capacity: Float64Array;
  /** Performance per demand algorithm index; 0 = unsupported. */
  performance: Float64Array;
  /** Seconds of the slot already filled, counting each unit by the fraction of the slot it uses. */
  filledSeconds: number;
  /** Whether anything (a reservation, a placement) holds a share of the slot yet. */
  holds: boolean;
  usage: SlotUsage;
}

function openSlot(slot: AvailabilitySlot, dampingFactor: number, demand: Demand): OpenSlot {
  const seconds = Math.max(0, slotSeconds(slot));
  const caps = resourceVector(slot.resources);
  const capacity = caps.map((c) => c * seconds * dampingFactor);
  const perf = slotPerformance(slot);
  const performance = Float64Array.from(demand.algorithms, (key) => perf.get(key) ?? 0);
  return {
    slot,
    startMs: Date.parse(slot.start_time),
    endMs: Date.parse(slot.end_time),
    seconds,
    caps,
    remaining: capacity.slice(),
    capacity,
    performance,
    filledSeconds: 0,
    holds: false,
    usage: { slot_id: slot.slot_id, capacity: [...capacity], used: new Array<number>(D).fill(0), tier1: 0, tier2: 0 },
  };
}

/**
 * Places unit i in the slot if it fits; returns its estimated seconds there, or -1. A slot that
 * holds nothing yet takes any unit within its caps and its time, however small the damping factor
 * made its capacity: a damped provider still offers one unit per slot.
 */
function tryPlace(s: OpenSlot, demand: Demand, i: number): number {
  const perf = s.performance[demand.algorithm[i]!]!;
  if (perf === 0) return -1;
  const seconds = demand.seconds[i]! / perf;
  if (seconds > s.seconds) return -1;
  const base = i * D;
  for (let d = 0; d < D; d++) {
    const need = demand.need[base + d]!;
    if (need > s.caps[d]! || (s.holds && s.remaining[d]! - need * seconds < 0)) return -1;
  }
  charge(s, demand.need, base, seconds);
  return seconds;
}

/** Takes `need` (D entries from `base`) for `seconds` out of the slot. */
function charge(s: OpenSlot, need: Float64Array, base: number, seconds: number): void {
  let share = 0;
  for (let d = 0; d < D; d++) {
    const area = need[base + d]! * seconds;
    s.remaining[d] = s.remaining[d]! - area;
    s.usage.used[d] = s.usage.used[d]! + area;
    if (s.caps[d]! > 0) share = Math.max(share, need[base + d]! / s.caps[d]!);
  }
  s.filledSeconds += share * seconds;
  s.holds = true;
}

/** Unit indices of one group in this slot's order: by data locality when units need datasets. */
function localityOrder(
  demand: Demand,
  group: Demand['groups'][number],
  slot: AvailabilitySlot,
  holds: AllocationInput['holds'],
): number[] {
  const score = (i: number) => {
    const unit = demand.units[i]!;
    return unit.input_cid !== undefined && holds?.(unit.input_cid) ? 1 : dataLocalityScore(unit, slot);
  };
  return [...demand.order.subarray(group.start, group.end)].sort((a, b) => score(b) - score(a) || a - b);
}

export function allocate(input: AllocationInput): Allocation {
  const demand = collectDemand(input);
  const provider = input.provider;
  const slots = [...provider.availability_slots]
    .sort(
      (a, b) =>
        Date.parse(a.start_time) - Date.parse(b.start_time) ||
        b.priority - a.priority ||
        (a.slot_id < b.slot_id ? -1 : 1),
    )
    .map((slot) => openSlot(slot, provider.damping_factor, demand));
  for (const r of input.reserved ?? []) {
    const s = slots.find((open) => open.slot.slot_id === r.slot_id);
    if (s) charge(s, resourceVector(r.resources), 0, r.seconds);
  }
  const placed = new Uint8Array(demand.units.length);
  const room = new Map<string, number>();
  const roomOf = (peer: string) => room.get(peer) ?? input.requesterRoom?.(peer) ?? Number.POSITIVE_INFINITY;
  const offers: Offer[] = [];
  const units: WorkUnit[] = [];
  const timestamp = new Date(input.nowMs).toISOString();

  for (const tier of [1, 2] as const) {
    for (const s of slots) {
      for (const group of demand.groups) {
        if (group.tier !== tier) continue;
        // Most groups need no dataset: walk the shared order in place, without allocating.
        const members = group.usesData ? localityOrder(demand, group, s.slot, input.holds) : demand.order;
        const from = group.usesData ? 0 : group.start;
        const to = group.usesData ? members.length : group.end;
        for (let k = from; k < to; k++) {
          const i = members[k]!;
          if (placed[i]) continue;
          const requester = demand.requester[i]!;
          const left = roomOf(requester);
          if (left <= 0) continue;
          const startOffset = s.filledSeconds;
          const seconds = tryPlace(s, demand, i);
          if (seconds < 0) continue;
          placed[i] = 1;
          room.set(requester, left - 1);
          if (tier === 1) s.usage.tier1++;
          else s.usage.tier2++;
          const unit = demand.units[i]!;
          const startMs = Math.min(s.endMs, s.startMs + Math.round(startOffset * 1000));
          offers.push({
            offer_id: `${provider.peer_id}#${input.round}.${offers.length}`,
            round: input.round,
            unit_id: unit.unit_id,
            job_id: unit.job_id,
            requester_peer: requester,
            provider_peer: provider.peer_id,
            slot_id: s.slot.slot_id,
            tier,
            ...offerPrice(input.price, unit, seconds),
            estimated_seconds: seconds,
            performance_score: s.performance[demand.algorithm[i]!]!,
            expected_start: new Date(startMs).toISOString(),
            expected_end: new Date(Math.min(s.endMs, startMs + Math.round(seconds * 1000))).toISOString(),
            timestamp,
          });
          units.push(unit);
        }
      }
    }
  }
  return { round: input.round, offers, units, slots: slots.map((s) => s.usage) };
}
