// The requester's judgement of one unit: accept a result, wait, check results against the ground
// truth (its own run of the unit), or ask for more replicas. Votes never convict and never outvote
// the truth: a dissent is settled by a check, and only a result that contradicts a check convicts
// its provider (the caller does that with the `checked` outcomes it passes in). Pure.
import { decideConsensus, type Comparator, type Vote } from '../consensus/index.js';
import { isProven, selectedForCheck, type CheckRecord } from './credibility.js';

export interface UnitEvidence {
  /** Results the unit asks for (its redundancy). */
  redundancy: number;
  /** The results standing: one per provider, none of a convicted provider. */
  votes: readonly Vote[];
  /** Results asked for and still expected or received (assignments not handed back). */
  requested: number;
  /** The most results the unit may ever ask for. */
  maxReplicas: number;
  record(peer: string): CheckRecord;
  /** Uniform in [0, 1), unpredictable to providers: whether a result is picked for a check. */
  draw(resultId: string): number;
  /** Results already checked against the ground truth: true when they matched it. */
  checked: ReadonlyMap<string, boolean>;
  /** The ground truth's hash, once the requester has run the unit itself. */
  truth?: string;
  /** Whether the requester can run the unit itself (it has its module and input, and the device). */
  canCheck: boolean;
  /**
   * A provider this unit relied on, or one with a result on it, was convicted: it is checked at
   * once, the standing results with it (with none standing, the requester's run is the output).
   */
  suspect?: boolean;
  /** Agreement between results that are not bit-exact (GPU tiles, Blender frames); hash equality by default. */
  comparator?: Comparator;
  /**
   * Providers whose agreement I take, beside the proven, where I cannot check (a Blender frame of a
   * requester without Blender: a peer I trust). Agreement still never convicts anyone.
   */
  vouches?: (peer: string) => boolean;
  /** The least share of a proven provider's results checked (its job's circle's spot-check rate; CHECK_RATE_FLOOR by default). */
  checkFloor?: number;
  /** The part of the results that must agree (its job's circle's; a strict majority by default). */
  agreement?: number;
}

export type Judgement =
  /** More results are on their way. */
  | { status: 'pending' }
  /** Run the unit and check these results against it. */
  | { status: 'check'; results: string[] }
  /** The requester cannot check: ask for this many more results. */
  | { status: 'replicas'; extra: number }
  /**
   * `hash` is the output handed to the user; `results` the results that carry it (paid);
   * `unchecked` those of them accepted without my whole run of the unit (on the providers' records,
   * or a spot-check of a part: a crop, a tile's samples): held until the job completes, and
   * reopened by a later conviction of their provider.
   */
  | { status: 'verified'; hash: string; results: string[]; unchecked: string[] }
  | { status: 'failed'; reason: 'replicas_exhausted' | 'no_proven_agreement' };

export function judgeUnit(e: UnitEvidence): Judgement {
  // An output a check contradicted is wrong whoever sent it: a result with the same hash does not
  // stand either (colluders share their wrong output), even where the truth is not passed in.
  const contradicted = new Set(e.votes.filter((v) => e.checked.get(v.result_id) === false).map((v) => v.hash));
  const standing = e.votes.filter((v) => !contradicted.has(v.hash) && !e.record(v.peer).convicted);
  if (e.truth !== undefined) {
    // The requester ran it: its own output is the verdict, and the results that matched are paid.
    const matched = standing.filter((v) => e.checked.get(v.result_id) === true).map((v) => v.result_id);
    return { status: 'verified', hash: e.truth, results: matched, unchecked: [] };
  }
  const unchecked = standing.filter((v) => !e.checked.has(v.result_id)).map((v) => v.result_id);
  const checkAll = (): Judgement | undefined =>
    e.canCheck && unchecked.length > 0 ? { status: 'check', results: unchecked } : undefined;
  if (e.suspect && e.canCheck) return { status: 'check', results: unchecked };

  const decision = decideConsensus({
    redundancy: e.redundancy,
    votes: standing,
    maxReplicas: e.maxReplicas,
    requested: e.requested,
    ...(e.comparator ? { comparator: e.comparator } : {}),
    ...(e.agreement !== undefined ? { agreement: e.agreement } : {}),
  });
  switch (decision.status) {
    case 'pending':
      return { status: 'pending' };
    case 'conflict':
      return checkAll() ?? { status: 'replicas', extra: decision.extraReplicas };
    case 'failed':
      return checkAll() ?? { status: 'failed', reason: 'replicas_exhausted' };
    case 'verified':
      break;
  }
  const winners = decision.results;
  const winnerUnchecked = winners.filter((id) => !e.checked.has(id));
  // Without my whole run, a check passed was a spot-check of a part and the rest of the output is
  // the provider's word: every winner counts as unchecked (a cheat's crop can fall where it is right).
  const peerOf = new Map(standing.map((v) => [v.result_id, v.peer]));
  if (e.canCheck) {
    // Honest runs agree on fuel too: a unit billed by fuel is checked when its results do not.
    const fuels = new Set(
      standing.flatMap((v) => (v.fuel !== undefined && winners.includes(v.result_id) ? [v.fuel] : [])),
    );
    const dissent = standing.length > winners.length || fuels.size > 1;
    const picked = winnerUnchecked.some((id) => selectedForCheck(e.record(peerOf.get(id)!), e.draw(id), e.checkFloor));
    if (dissent || e.suspect || picked) {
      const check = checkAll();
      if (check) return check;
    }
    return { status: 'verified', hash: decision.hash, results: winners, unchecked: winners };
  }
  // No ground truth here: a result of a provider without a record needs a proven (or vouched-for) provider's agreement.
  const vouched = winners.some((id) => {
    const peer = peerOf.get(id)!;
    return e.checked.get(id) === true || isProven(e.record(peer)) || e.vouches?.(peer) === true;
  });
  if (vouched) return { status: 'verified', hash: decision.hash, results: winners, unchecked: winners };
  if (e.requested > standing.length) return { status: 'pending' };
  if (e.requested >= e.maxReplicas) return { status: 'failed', reason: 'no_proven_agreement' };
  return { status: 'replicas', extra: 1 };
}
