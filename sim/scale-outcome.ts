// What a scale simulation (scale.ts) measured, from its end state and its counts: rates per kind of
// requester, free-riders' debt, the ledger's sums, utilisation and the round damping settled.
import { creditLimit } from '../src-main/core/ledger/index.js';
import { EPOCH, ROUND_MS, type Job } from './jobs.js';
import { CONTRIBUTOR, FREE_RIDER, type Mesh } from './mesh.js';

/** A round is stable when fewer than this share of the providers that offered changed their damping factor. */
const STABLE_SHARE = 0.01;
const STABLE_RUN = 3;

export interface ScaleOutcome {
  rounds: number;
  virtualSeconds: number;
  /** Units completed exactly once (a second completion throws). */
  completed: number;
  /** Provider rounds that ran more units than the provider has cores (must be 0). */
  overCapacity: number;
  /** Units a free-rider was given past its trickle while a contributor the provider trusts waited (must be 0). */
  overTrickle: number;
  /** Over the provider rounds where a friend still had units waiting that it could take: cores used / cores those friends could take. */
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
  /**
   * Service while contended, per kind of requester: the units it got from a provider's rounds in
   * which a contributor that provider trusts had units waiting, per second of such rounds in which
   * it had units open itself, summed over every provider and requester of the kind.
   */
  freeRiderContendedRate: number;
  contributorContendedRate: number;
  /**
   * Where the free-riders' units came from: a provider with a contributor it trusts waiting
   * (contended), one whose contributing friends had none left waiting, one with no contributing friend.
   */
  freeRiderService: { contended: number; contributorsServed: number; noContributorFriend: number };
  /** The highest share of its credit limit a free-rider owed any provider at the end. */
  freeRiderDebtShareMax: number;
  /** Every balance sums to 0 (each credit paid came from someone), and nothing is held at the end. */
  balanceSum: number;
  stillHeld: number;
  /** Per round: providers whose damping factor changed, providers that made offers, and the utilisation as above. */
  dampingChanges: number[];
  offeringByRound: number[];
  utilisationByRound: number[];
  /** See convergedAt: the round count when damping never settled so. */
  roundsToConverge: number;
}

/** What the simulation counted as it ran (cores over the contested provider rounds, offers, refusals). */
export interface Tally {
  contested: number;
  contestedCores: number;
  usedCores: number;
  idleRefused: number;
  idleUnoffered: number;
  offers: number;
  creditRefusals: number;
  overCapacity: number;
  overTrickle: number;
  refusals: Record<string, number>;
}

/** A finished simulation: its mesh and jobs at the end, and what it counted (contended*: per kind, 0 contributor, 1 free-rider). */
export interface FinishedRun {
  mesh: Mesh;
  jobs: readonly Job[];
  rounds: number;
  completed: number;
  out: Tally;
  contendedRounds: readonly number[];
  contendedUnits: readonly number[];
  freeRiderService: ScaleOutcome['freeRiderService'];
  dampingChanges: number[];
  offeringByRound: number[];
  utilisationByRound: number[];
}

export function outcomeOf(run: FinishedRun): ScaleOutcome {
  const { mesh, jobs, rounds, completed, out, contendedRounds, contendedUnits, freeRiderService } = run;
  const { dampingChanges, offeringByRound, utilisationByRound } = run;
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
  let balanceSum = 0;
  let stillHeld = 0;
  for (let e = 0; e < mesh.balance.length; e++) {
    balanceSum += mesh.balance[e]!;
    stillHeld += mesh.held[e]!;
  }
  const contested = Math.max(1, out.contestedCores);
  const contendedRate = (kind: number) =>
    contendedUnits[kind]! / Math.max(1, (contendedRounds[kind]! * ROUND_MS) / 1000);
  return {
    rounds,
    virtualSeconds: (rounds * ROUND_MS) / 1000,
    completed,
    overCapacity: out.overCapacity,
    overTrickle: out.overTrickle,
    utilisation: out.usedCores / contested,
    contestedRounds: out.contested,
    idleRefused: out.idleRefused / contested,
    idleUnoffered: out.idleUnoffered / contested,
    offers: out.offers,
    refusals: out.refusals,
    creditRefusals: out.creditRefusals,
    freeRiderRate: rateOf(FREE_RIDER),
    contributorRate: rateOf(CONTRIBUTOR),
    freeRiderContendedRate: contendedRate(1),
    contributorContendedRate: contendedRate(0),
    freeRiderService,
    freeRiderDebtShareMax: debtShare,
    balanceSum,
    stillHeld,
    dampingChanges,
    offeringByRound,
    utilisationByRound,
    roundsToConverge: convergedAt(dampingChanges, offeringByRound),
  };
}

/**
 * The first round (from 1: round 0 has no history) that starts STABLE_RUN rounds in a row in which
 * fewer than STABLE_SHARE of the offering providers changed their damping factor; the round count if none does.
 */
function convergedAt(changes: readonly number[], offering: readonly number[]): number {
  let run = 0;
  for (let r = 1; r < changes.length; r++) {
    run = changes[r]! < STABLE_SHARE * offering[r]! ? run + 1 : 0;
    if (run === STABLE_RUN) return r - STABLE_RUN + 1;
  }
  return changes.length;
}
