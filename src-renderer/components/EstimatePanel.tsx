// What a render job or a job of programs would cost before it is submitted (render.estimate,
// jobs.estimate): its units, its cost, what a unit holds, the budget it needs, how long it would
// take and whose prices, in the lines meshctl submit-job --dry-run prints
// (core/scheduler/quote-words.ts); and, when the budget asked for is short, a button that asks for
// what it needs instead.
import type { JobEstimate } from '../../src-main/core/api/contract.js';
import { estimateLines } from '../../src-main/core/scheduler/quote-words.js';
import { formatCredits } from '../format.js';

export function EstimatePanel({ estimate, onUseBudget }: { estimate: JobEstimate; onUseBudget: () => void }) {
  return (
    <div className="estimate" data-testid="render-estimate" aria-live="polite">
      <dl className="facts">
        {estimateLines(estimate).map(([label, value]) => (
          <div className="fact" key={label}>
            <dt>{label}</dt>
            <dd data-testid={`render-estimate-${label.replace(/ /g, '-')}`}>{value}</dd>
          </div>
        ))}
      </dl>
      {!estimate.enough && (
        <button
          type="button"
          className="button button-small"
          onClick={onUseBudget}
          data-testid="render-estimate-use-budget"
        >
          Use a budget of {formatCredits(estimate.budget_needed)}
        </button>
      )}
    </div>
  );
}
