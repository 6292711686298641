// Why a running job of mine is not moving, in words for its user (the job view's `waiting`): no
// provider I can use (and the connected peers that trust, either side's, keeps out), too
// few providers I can use for its redundancy, or every offer for it refused for the same reason
// (over its price cap, from peers I do not trust), or the peers at hand were convicted by my
// checks (said as such, with the frames that convicted them, not as peers I do not trust). A job waits for these rather than end: prices
// change and providers come back. Read from the last acceptance round and the commitments heard.
import { formatCredits } from '../../../core/ledger/index.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import type { Refusal, RefusalCode } from '../../../core/scheduler/accept.js';
import { compatibility } from '../../../core/scheduler/compatibility.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { frameOf } from '../../../core/blender/unit.js';
import { frameLayoutOf, frameOfUnit } from '../../../core/kinds/frames.js';
import type { AvailabilitySlot, WorkUnit } from '../../../core/schemas/index.js';
import type { NodeContext } from '../context/node-context.js';
import { cheapestOf, type JobRound } from './job-rounds.js';

/** Refusals that say something about the job (the others are the round's own bookkeeping: busy, taken, met). */
const TELLING: ReadonlySet<RefusalCode> = new Set(['over_max_price', 'untrusted', 'convicted', 'unreasonable']);

/** A round's telling refusals for one job: the first one's reason, how many shared it, the cheapest price they asked. */
interface Refused {
  refusal: Refusal;
  count: number;
  cheapest: number;
  /** The unit's price cap, for a refusal over it. */
  maxPrice?: number;
}

export class JobWaits {
  /** Per job, the refusals of the last round that weighed offers for it and took none. */
  readonly #refused = new Map<string, Refused>();

  constructor(
    private readonly ctx: Pick<NodeContext, 'state' | 'me' | 'commitments' | 'now' | 'blobs' | 'kinds'>,
    /** The peers connected now: a provider gone keeps its last commitment, but offers nothing meanwhile. */
    private readonly connectedPeers: () => readonly string[] = () => [...ctx.commitments.keys()],
  ) {}

  /** After each acceptance round: what it refused of each job it took nothing of, for the first telling reason. */
  round(jobs: ReadonlyMap<string, JobRound>): void {
    for (const [jobId, { accepted, refused }] of jobs) {
      if (accepted) {
        this.#refused.delete(jobId);
        continue;
      }
      const first = refused.find(({ refusal }) => TELLING.has(refusal.code));
      if (!first) continue;
      const same = refused.filter(({ refusal }) => refusal.code === first.refusal.code);
      const maxPrice = this.ctx.state.units.get(first.offer.unit_id)?.unit.max_price;
      this.#refused.set(jobId, {
        refusal: first.refusal,
        count: same.length,
        cheapest: cheapestOf(same),
        ...(maxPrice !== undefined ? { maxPrice } : {}),
      });
    }
    for (const jobId of this.#refused.keys()) {
      if (!this.ctx.state.myRunningJob(jobId)) this.#refused.delete(jobId);
    }
  }

  /** Why the job is not moving, or undefined when nothing stands in its way (or it has ended). */
  why(record: JobRecord): string | undefined {
    const { job } = record;
    if (!this.ctx.state.isMyRunningJob(record)) return undefined;
    const strangersToo = job.open_to_strangers ?? false;
    const unit = this.ctx.state.units.get(unitIdOf(job.job_id, 0))?.unit;
    const { offering, fitting, misses, notTrusted, notTrustingMe, convicted } = this.#providersFor(strangersToo, unit);
    if (offering === 0 && !strangersToo && !this.#trustsAnyone())
      return 'you trust no peer: nothing is computed for you until you do (meshctl trust set), or the job is open to strangers';
    // Providers convicted on this job (or another) said as such, not as peers I do not trust.
    const convictions = convictedLines(convicted, job.job_id, (unitId) => this.#unitName(unitId));
    if (offering === 0) {
      // The peers at hand, and what keeps them from this job: a conviction, or trust.
      const atHand = [
        ...convictions,
        notTrusted > 0 &&
          `you do not trust ${peers(notTrusted)} (meshctl trust set), and the job is not open to strangers`,
        notTrustingMe > 0 &&
          `${peers(notTrustingMe)} that ${offerVerb(notTrustingMe)} cores ${notTrustingMe === 1 ? 'does' : 'do'} not trust you`,
      ].filter((text) => text !== false);
      const why = 'no provider that works for you offers its cores now';
      return atHand.length === 0 ? why : `${why}: ${atHand.join('; ')}`;
    }
    if (fitting < job.redundancy && fitting < offering && unit) {
      const who =
        offering === 1
          ? 'the one provider that works for you does not offer it now'
          : `${fitting === 0 ? 'none' : `only ${fitting}`} of the ${offering} providers that work for you offer it now`;
      const each = job.redundancy > 1 ? ` (each unit needs ${job.redundancy} different ones)` : '';
      return `its units need ${[...misses].join(' and ')}: ${who}${each}${convictions.map((c) => `; ${c}`).join('')}`;
    }
    if (fitting < job.redundancy)
      return `each unit needs ${job.redundancy} different providers, and ${fitting} ${fitting === 1 ? 'that works for you offers' : 'that work for you offer'} cores now${convictions.map((c) => `; ${c}`).join('')}`;
    const refused = this.#refused.get(job.job_id);
    if (!refused) return undefined;
    const { refusal, count, cheapest, maxPrice } = refused;
    const offers = `${count} ${count === 1 ? 'offer' : 'offers'} not taken`;
    if (refusal.code === 'over_max_price' && maxPrice !== undefined)
      return `${offers}: the cheapest asks ${formatCredits(cheapest)} credits ${(job.units_per_pack ?? 1) > 1 ? 'for a pack of units' : 'for a unit'}, over its maximum of ${formatCredits(maxPrice)}`;
    if (refusal.code === 'untrusted')
      return `${offers}: they come from peers you do not trust, and the job is not open to strangers`;
    return `${offers}: ${refusal.message}`;
  }

  #trustsAnyone(): boolean {
    for (const [peer, { weight }] of this.ctx.state.trust) if (peer !== this.ctx.me && weight > 0) return true;
    return false;
  }

  /**
   * Peers connected now that offer their cores and trust me, that I would take work from (not convicted;
   * trusted, unless the job is open to strangers); and of those, the ones with a slot that can run
   * the job's unit (its algorithm, resources, length: a GPU, say).
   */
  #providersFor(
    strangersToo: boolean,
    unit: WorkUnit | undefined,
  ): {
    offering: number;
    fitting: number;
    misses: Set<string>;
    notTrusted: number;
    notTrustingMe: number;
    convicted: Convicted[];
  } {
    const { state, me } = this.ctx;
    const nowMs = this.ctx.now();
    const connected = new Set(this.connectedPeers());
    let offering = 0;
    let fitting = 0;
    // Connected peers convicted by my checks: said as such, not as peers I do not trust.
    const convicted = [...connected].flatMap((peer) => {
      const conviction = state.checks.convictions.get(peer);
      return peer !== me && conviction ? [{ peer, unitId: conviction.unitId }] : [];
    });
    // Connected peers that are no use for the job for want of trust: mine in them (I follow no
    // commitment of theirs, so whether they offer cores is not known), or theirs in me.
    const notTrusted = strangersToo
      ? 0
      : [...connected].filter(
          (peer) => peer !== me && !state.checks.isConvicted(peer) && !(state.effectiveTrustIn(peer, nowMs) > 0),
        ).length;
    let notTrustingMe = 0;
    const misses = new Set<string>();
    for (const [peer, commitment] of this.ctx.commitments) {
      if (peer === me || !connected.has(peer) || commitment.availability_slots.length === 0) continue;
      if (state.checks.isConvicted(peer)) continue;
      if (!(commitment.trust_weights[me]! > 0)) {
        notTrustingMe++;
        continue;
      }
      if (!strangersToo && !(state.effectiveTrustIn(peer, nowMs) > 0)) continue;
      offering++;
      const slots = commitment.availability_slots;
      if (!unit || slots.some((slot) => compatibility(unit, slot).compatible)) fitting++;
      else for (const slot of slots) for (const need of missedBy(unit, slot)) misses.add(need);
    }
    return { offering, fitting, misses, notTrusted, notTrustingMe, convicted };
  }

  /** A unit as its user knows it: a Blender frame by its number, a tile by its frame; else by its place in the job. */
  #unitName(unitId: string): string {
    const record = this.ctx.state.units.get(unitId);
    if (!record) return `unit ${unitId}`;
    const { unit, index } = record;
    const job = this.ctx.state.jobs.get(unit.job_id)?.job;
    const tileOf = job && frameOfUnit(frameLayoutOf(job), index);
    if (tileOf !== undefined) return `frame ${tileOf}`;
    // A unit of a kind whose units are frames has its frame's number for its input.
    const frames = this.ctx.kinds.of(unit.algorithm_id)?.spec.noun === 'frames';
    const input = frames && unit.input_cid ? this.ctx.blobs.get(unit.input_cid) : undefined;
    const frame = input ? frameOf(input) : undefined;
    return frame === undefined ? `unit ${index}` : `frame ${frame}`;
  }
}

/** A connected peer convicted by my checks, and the unit whose check convicted it. */
interface Convicted {
  peer: string;
  unitId: string;
}

/** What the convicted peers at hand say of a job: those convicted on it (naming the units), and those on others. */
function convictedLines(
  convicted: readonly Convicted[],
  jobId: string,
  unitName: (unitId: string) => string,
): string[] {
  const here = convicted.filter((c) => unitIdIsOf(c.unitId, jobId));
  const elsewhere = convicted.length - here.length;
  const pardon = 'meshctl peer pardon <peer> if a check of yours was wrong';
  const lines: string[] = [];
  if (here.length > 0) {
    const who =
      here.length === 1
        ? '1 connected provider was'
        : here.length === 2
          ? 'both connected providers were'
          : `${here.length} connected providers were`;
    const units = [...new Set(here.map((c) => unitName(c.unitId)))];
    lines.push(`${who} convicted of lying on this job (${andList(units)}; ${pardon})`);
  }
  if (elsewhere > 0)
    lines.push(`${peers(elsewhere)} ${elsewhere === 1 ? 'was' : 'were'} convicted of lying on another job (${pardon})`);
  return lines;
}

/** `a`, `a and b`, `a, b and c`; frames put together as `frames 1 and 2`. */
function andList(names: readonly string[]): string {
  const frames = names.every((n) => n.startsWith('frame ')) && names.length > 1;
  const parts = frames ? names.map((n) => n.slice('frame '.length)) : [...names];
  const joined = parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
  return frames ? `frames ${joined}` : joined;
}

/** Whether a unit id (`${job_id}/${index}`) is of the job. */
const unitIdIsOf = (unitId: string, jobId: string): boolean => unitId.startsWith(`${jobId}/`);

const peers = (n: number) => (n === 1 ? '1 connected peer' : `${n} connected peers`);
const offerVerb = (n: number) => (n === 1 ? 'offers' : 'offer');

/** What of a unit's needs a slot does not offer, in words. */
function missedBy(unit: WorkUnit, slot: AvailabilitySlot): string[] {
  const { reason } = compatibility(unit, slot);
  if (reason === 'algorithm') return [`a slot that runs ${unit.algorithm_id} ${unit.algorithm_version}`];
  if (reason === 'duration') return ['a slot long enough for one'];
  const need = unit.required_resources;
  const has = slot.resources;
  const missed: string[] = [];
  if ((need.gpu_vram_gb ?? 0) > (has.gpu_vram_gb ?? 0))
    missed.push(need.gpu_vram_gb! < 1 ? 'a GPU' : `a GPU with ${round(need.gpu_vram_gb!)} GB`);
  if (need.cpu_cores > has.cpu_cores) missed.push(`${need.cpu_cores} cores`);
  if (need.ram_gb > has.ram_gb) missed.push(`${round(need.ram_gb)} GB of memory`);
  return missed;
}

function round(gb: number): string {
  return gb >= 1 ? gb.toFixed(1).replace(/\.0$/, '') : gb.toPrecision(2);
}
