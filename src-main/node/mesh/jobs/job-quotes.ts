// A job quoted before it is submitted (`jobs.estimate`, `render.estimate`: `submit-job --dry-run`,
// and the UI's forms before their buttons): its units made as a submit would make them (a render
// job's fuel pre-pass runs here; a WASI program is checked and its first unit run; a Blender scene
// is preflighted by my Blender in its sandbox), nothing
// stored or journaled, then priced
// (core/scheduler/quote.ts) at the fuel rate of the offers in hand, the dearest of them, or, with
// none in hand (or units priced by time, which no offer for another job tells), at this node's
// own prices; and timed on the cores that providers working for me offer now, at the speed each
// slot states for the job's algorithm (its performance score: a fraction of the reference machine,
// whose seconds a unit's estimate counts).
import type { EstimateJob, JobEstimate, SubmitRender } from '../../../core/api/contract.js';
import { formatCredits } from '../../../core/ledger/index.js';
import { offerPrice } from '../../../core/scheduler/pricing.js';
import { expectedPrice, quoteOf } from '../../../core/scheduler/quote.js';
import type { FuelPrice, PriceSchedule, WorkUnit } from '../../../core/schemas/index.js';
import { unitsOfInput } from '../../../core/mesh/rules/packs.js';
import { cidOfBytes } from '../../blobs/cid.js';
import type { Executor } from '../../exec/index.js';
import type { NodeContext } from '../context/node-context.js';
import { openPrepassPool, planRenderJob, renderFrameSteps, renderUnitsOf, sizeUnits } from '../render/render-jobs.js';
import { refusePassedDeadline } from './job-deadlines.js';
import { checkInputSize, planUnits, unitInputOf } from './job-split.js';

/** A blob store that keeps nothing: a quote's units name their blobs by CID, and none is stored. */
const NOWHERE = { put: (bytes: Uint8Array) => Promise.resolve(cidOfBytes(bytes)) };

/** What a quote is priced at: a schedule, whose it is, and that in words. */
interface Pricing {
  price: PriceSchedule;
  by: JobEstimate['priced_by'];
  words: string;
}

export class JobQuotes {
  constructor(
    private readonly ctx: Pick<NodeContext, 'me' | 'now' | 'state' | 'commitments' | 'kinds' | 'blobs'>,
    private readonly executor: Executor,
    private readonly prices: {
      /** This node's own prices, as it would offer them. */
      own: () => PriceSchedule;
      /** The fuel rates of the offers in hand, one a provider. */
      inHand: () => FuelPrice[];
    },
  ) {}

  /** A job over an input of `input_bytes`: its units planned as splitJob plans them. */
  async input(asked: EstimateJob): Promise<JobEstimate> {
    refusePassedDeadline(asked.deadline, this.ctx.now());
    // Planned by its kind's planner as at submit: a program checked and its first unit run here, a
    // module's first unit run to pack it, a Blender scene preflighted (its frames made tiles).
    const { planner } = this.ctx.kinds.planning(asked);
    const { chunk, bytes: inputBytes } = unitInputOf(planner, asked, asked.input_bytes);
    checkInputSize(inputBytes, chunk);
    const head = asked.first_bytes_base64 === undefined ? undefined : Buffer.from(asked.first_bytes_base64, 'base64');
    const plan = await planner.plan(asked, {
      blobs: this.ctx.blobs,
      executor: this.executor,
      ...(head && planner.headBytes(asked) > 0 ? { head } : {}),
    });
    const { perPack, unit } = planUnits(this.ctx.kinds, plan);
    const { module, files } = plan.resolved;
    const units = unitsOfInput(inputBytes, chunk);
    const template: WorkUnit = {
      ...unit,
      unit_id: 'quote/0',
      job_id: 'quote',
      module_cid: cidOfBytes(module),
      ...(files ? { required_dataset: cidOfBytes(files) } : {}),
    };
    const spec = plan.terms;
    return this.#estimate([template], Math.ceil(units / perPack), { units, perPack, spec, frames: null, tile: null });
  }

  /** A render job: its fuel pre-pass run over every frame, as its submit would (render-jobs.ts). */
  async render(spec: SubmitRender): Promise<JobEstimate> {
    refusePassedDeadline(spec.deadline, this.ctx.now());
    const ctx = { me: this.ctx.me, blobs: NOWHERE };
    const plan = await planRenderJob(ctx, spec, undefined, await sizeUnits(this.executor, spec));
    const frames = renderFrameSteps(plan).flat();
    const prepass = openPrepassPool(this.executor, plan, frames);
    let units: WorkUnit[];
    try {
      units = await renderUnitsOf(ctx, plan, prepass.pool, frames);
    } finally {
      await prepass.close();
    }
    const tile = plan.job.render!.tile;
    return this.#estimate(units, units.length, { units: units.length, perPack: 1, spec, frames: frames.length, tile });
  }

  /** The quote for `count` units of the state of which `sample` are made, at the prices in hand. */
  #estimate(
    sample: readonly WorkUnit[],
    count: number,
    job: {
      units: number;
      perPack: number;
      spec: { redundancy: number; budget: number };
      frames: number | null;
      tile: number | null;
    },
  ): JobEstimate {
    const pricing = this.#pricing(sample.some((unit) => unit.estimated_fuel !== undefined));
    const quoted = sample.map((unit) => {
      const terms = offerPrice(pricing.price, unit, unit.estimated_duration_seconds);
      return { price: expectedPrice(terms, unit.estimated_fuel), cap: terms.price };
    });
    const { redundancy, budget } = job.spec;
    const quote = quoteOf(quoted, count, redundancy);
    const mean = (of: (q: (typeof quoted)[number]) => number) =>
      quoted.reduce((sum, q) => sum + of(q), 0) / quoted.length / job.perPack;
    const seconds = (sample.reduce((sum, u) => sum + u.estimated_duration_seconds, 0) / sample.length) * count;
    const { cores, speed } = this.#coresOffered(sample[0]!);
    return {
      units: job.units,
      units_per_pack: job.perPack,
      frames: job.frames,
      tile: job.tile,
      redundancy,
      unit_price: mean((q) => q.price),
      unit_held: mean((q) => q.cap),
      cost: quote.cost,
      budget_needed: quote.budget,
      budget,
      enough: budget >= quote.budget,
      seconds: speed === 0 ? null : (seconds * redundancy) / speed,
      cores,
      priced_by: pricing.by,
      prices: pricing.words,
    };
  }

  /** The prices a quote uses: the dearest fuel rate in hand, for units billed by fuel; else my own. */
  #pricing(byFuel: boolean): Pricing {
    const own = this.prices.own();
    const rates = byFuel ? this.prices.inHand() : [];
    const perGfuel = (rate: FuelPrice) =>
      `${formatCredits(rate.per_gfuel)} credits a 10⁹ fuel, at least ${formatCredits(rate.minimum)} a unit`;
    if (rates.length > 0) {
      const dearest = rates.reduce((most, rate) => (rate.per_gfuel > most.per_gfuel ? rate : most));
      const providers = rates.length === 1 ? "1 provider's" : `the dearest of ${rates.length} providers'`;
      return {
        price: { ...own, per_gfuel: dearest.per_gfuel, minimum: dearest.minimum },
        by: 'offers',
        words: `the fuel rate of the offers in hand (${providers}: ${perGfuel(dearest)})`,
      };
    }
    if (byFuel && own.per_gfuel !== undefined)
      return {
        price: own,
        by: 'own',
        words: `this node's own prices, no offer being in hand (${perGfuel({ per_gfuel: own.per_gfuel, minimum: own.minimum })})`,
      };
    return {
      price: own,
      by: 'own',
      words: `this node's own prices, units like these being priced by time (${formatCredits(own.per_core_second)} credits a core-second, at least ${formatCredits(own.minimum)} a unit)`,
    };
  }

  /**
   * The cores that providers working for me offer now for units like `unit` (those I follow that
   * trust me and that I trust, each its largest slot that runs the unit's algorithm), and their
   * speed: cores times each slot's performance score, in reference machines.
   */
  #coresOffered(unit: WorkUnit): { cores: number; speed: number } {
    const { state, me } = this.ctx;
    const nowMs = this.ctx.now();
    let cores = 0;
    let speed = 0;
    for (const [peer, commitment] of this.ctx.commitments) {
      if (peer === me || !(commitment.trust_weights[me]! > 0) || !(state.effectiveTrustIn(peer, nowMs) > 0)) continue;
      let best = { cores: 0, speed: 0 };
      for (const slot of commitment.availability_slots) {
        const runs = slot.algorithms.find((a) => a.algorithm_id === unit.algorithm_id && a.supported);
        const slotSpeed = slot.resources.cpu_cores * (runs?.performance_score ?? 0);
        if (slotSpeed > best.speed) best = { cores: slot.resources.cpu_cores, speed: slotSpeed };
      }
      cores += best.cores;
      speed += best.speed;
    }
    return { cores, speed };
  }
}
