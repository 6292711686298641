// How a job's quote reads (quote.ts; the API's `jobs.estimate` and `render.estimate` answer it): the
// same lines in `meshctl submit-job --dry-run` and in the UI's render form, so that the two say the
// same figures.
import { formatCredits, formatUnitCredits } from '../ledger/index.js';

/** A quote's figures, as the API's JobEstimate holds them (core/api/shapes.ts). */
export interface QuoteFigures {
  units: number;
  units_per_pack: number;
  frames: number | null;
  tile: number | null;
  redundancy: number;
  unit_price: number;
  unit_held: number;
  cost: number;
  budget_needed: number;
  budget: number;
  enough: boolean;
  seconds: number | null;
  cores: number;
  prices: string;
}

/** Seconds as people say a wait: "850 ms", "12 s", "4 min", "2.5 h". */
function aboutSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${Number((seconds / 3600).toFixed(1))} h`;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The quote as labelled lines: units, cost, what a unit holds, budget, time, and whose prices. */
export function estimateLines(e: QuoteFigures): Array<[string, string]> {
  const noun = e.frames === null ? 'unit' : 'tile';
  const packs = e.units_per_pack > 1 ? `, in packs of ${e.units_per_pack}` : '';
  const frames = e.frames === null ? '' : ` of ${e.tile} px, ${plural(e.frames, 'frame')}`;
  const workers = e.redundancy === 1 ? '' : `, each run by ${e.redundancy} providers`;
  const perWorker = e.redundancy === 1 ? '' : ' a provider';
  return [
    ['units', `${plural(e.units, noun)}${frames}${packs}${workers}`],
    ['cost', `about ${formatCredits(e.cost)} credits in all (${formatUnitCredits(e.cost / e.units)} a ${noun})`],
    [
      'held',
      `${formatUnitCredits(e.unit_held)} a ${noun}${perWorker} while it runs, ${formatUnitCredits(e.unit_price)} once its result is in, until the job completes`,
    ],
    [
      'budget',
      e.enough
        ? `${formatCredits(e.budget)} credits: enough (about ${formatCredits(e.budget_needed)} sees it through)`
        : `${formatCredits(e.budget)} credits: short; about ${formatCredits(e.budget_needed)} sees it through without pausing`,
    ],
    [
      'time',
      e.seconds === null
        ? 'unknown: no provider that works for you offers cores now'
        : `about ${aboutSeconds(e.seconds)} on the ${plural(e.cores, 'core')} offered now`,
    ],
    ['priced at', e.prices],
  ];
}
