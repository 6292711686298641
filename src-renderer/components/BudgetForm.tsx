// A running job's budget, set anew: a job paused short of budget goes on; lowered, it spends no more
// than that (the node refuses a budget under what the job has held or spent, and says so).
import { useState, type FormEvent } from 'react';
import type { JobView } from '../../src-main/core/api/contract.js';
import { formatCredits, parseCredits } from '../format.js';
import { FormProblem } from './basics.js';

export function BudgetForm({ job, onSave }: { job: JobView; onSave: (budget: number) => Promise<boolean> }) {
  const [text, setText] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (text === null) return;
    const parsed = parseCredits(text);
    if (!parsed.ok) return setProblem(`Budget: ${parsed.error}`);
    setProblem(null);
    if (await onSave(parsed.value)) setText(null);
  };

  return (
    <form className="price-form" onSubmit={(e) => void submit(e)}>
      <label className="field field-inline">
        <span className="field-label">
          Budget
          <span className="field-hint">
            {formatCredits(job.spent + job.held)} held or spent so far
            {job.budget_needed === null
              ? '; a job short of budget pauses until you raise it'
              : `; about ${formatCredits(job.budget_needed)} needed to finish`}
          </span>
        </span>
        <span className="input-with-unit">
          <input
            type="text"
            inputMode="decimal"
            value={text ?? formatCredits(job.budget)}
            onChange={(e) => setText(e.target.value)}
            data-testid={`job-budget-${job.job_id}`}
          />
          <span className="unit">credits</span>
        </span>
      </label>
      <FormProblem problem={problem} />
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary button-small"
          disabled={text === null}
          data-testid={`job-budget-save-${job.job_id}`}
        >
          Set budget
        </button>
      </div>
    </form>
  );
}
