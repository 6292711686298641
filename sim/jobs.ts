// A requester's job in the scale simulator (sim/scale.ts): its units by number, the first LISTED
// of its unassigned ones as its commitment lists them, and the offers it got this phase.
import { OFFER_TTL_MS } from '../src-main/core/scheduler/index.js';
import type {
  AvailabilitySlot,
  ComputeCommitment,
  Offer,
  WorkRequest,
  WorkUnit,
} from '../src-main/core/schemas/index.js';
import type { Mesh } from './mesh.js';

/** A round, and a unit's length: an unaccepted offer has lapsed by its provider's next round. */
export const ROUND_MS = OFFER_TTL_MS;
/** Virtual time 0. */
export const EPOCH = Date.UTC(2030, 0, 1);
const LISTED = 64;
/** What every commitment here says of its author's history: nothing in the core reads another peer's. */
export const NO_HISTORY = {
  total_work_units_completed: 0,
  total_compute_hours: 0,
  average_result_quality: 0.5,
  reliability_score: 0.5,
};
const ALGORITHM = { algorithm_id: 'hash/sha256', version: '1.0.0', supported: true, performance_score: 1 };
const ONE_CORE = { cpu_cores: 1, ram_gb: 1 };

export interface Job {
  peer: number;
  name: string;
  first: number;
  size: number;
  /** The next unit never listed (scale.ts counts the units not yet assigned). */
  cursor: number;
  done: number;
  finishedMs: number;
  listed: WorkUnit[];
  /** The number of each listed unit, index for index (reading it back from the unit id costs a parse). */
  listedNumbers: number[];
  /** Its work request, as its commitment lists it while a unit is open. */
  request: WorkRequest;
  commitment: ComputeCommitment;
  inbox: Offer[];
}

export function newJob(mesh: Mesh, peer: number, j: number, size: number): Job {
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
    done: 0,
    finishedMs: 0,
    listed: [],
    listedNumbers: [],
    request,
    inbox: [],
    commitment: {
      peer_id: name,
      // A contributor lists its machine to its friends (so it gives back: core/scheduler/reciprocity.ts); a free-rider nothing.
      availability_slots: mesh.cores[peer]! > 0 ? [slotOf(mesh.cores[peer]!, EPOCH)] : [],
      work_requests: [request],
      trust_weights: mesh.trustWeights(peer),
      contribution_history: NO_HISTORY,
      damping_factor: 1,
      over_allocation_history: [],
      timestamp: request.timestamp,
      vector_clock: {},
    },
  };
}

/** The job's first LISTED unassigned units, as its commitment lists them. */
export function relist(job: Job, assigned: Uint8Array): void {
  const listed: WorkUnit[] = [];
  const numbers: number[] = [];
  job.listedNumbers.forEach((u, i) => {
    if (assigned[u]) return;
    listed.push(job.listed[i]!);
    numbers.push(u);
  });
  while (listed.length < LISTED && job.cursor < job.size) {
    const u = job.first + job.cursor++;
    numbers.push(u);
    listed.push({
      unit_id: `u${u}`,
      job_id: job.request.job_id,
      algorithm_id: ALGORITHM.algorithm_id,
      algorithm_version: ALGORITHM.version,
      required_resources: ONE_CORE,
      estimated_duration_seconds: ROUND_MS / 1000,
      priority: 0.5,
      verification_redundancy: 1,
    });
  }
  job.listed = listed;
  job.listedNumbers = numbers;
  job.commitment = withUnits(job, listed);
}

/**
 * The `count` of `listed` that provider `p` may offer, from a start of its own: the node's allocate
 * takes a requester's units from the provider's own place in its list (`rotated`), so that providers
 * that may each offer only a few offer different ones.
 */
export function fromOwnStart<T>(listed: readonly T[], count: number, p: number): T[] {
  const start = (p * 7919) % listed.length;
  return Array.from({ length: Math.min(count, listed.length) }, (_, i) => listed[(start + i) % listed.length]!);
}

/** Its commitment listing these units; with none, no work request (the node lists only jobs with units open). */
export function withUnits(job: Job, units: WorkUnit[]): ComputeCommitment {
  return { ...job.commitment, work_requests: units.length > 0 ? [{ ...job.request, work_units: units }] : [] };
}

/** A provider's slot for one round: its cores, from now for one round. */
export function slotOf(cores: number, nowMs: number): AvailabilitySlot {
  return {
    slot_id: 'cpu',
    start_time: isoAt(nowMs),
    end_time: isoAt(nowMs + ROUND_MS),
    resources: { cpu_cores: cores, ram_gb: 2 * cores },
    algorithms: [ALGORITHM],
    priority: 0.5,
  };
}

const isoCache = new Map<number, string>();
/**
 * A virtual time as an ISO string, as a commitment writes it; every provider of a phase writes the
 * same few times, millions of times a run, so each is made once (the run's times are ~60 a round).
 */
export function isoAt(ms: number): string {
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size > 1000) isoCache.clear();
    isoCache.set(ms, (iso = new Date(ms).toISOString()));
  }
  return iso;
}
