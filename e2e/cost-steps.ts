// What the UI says of a job's costs, as a person checks it (ui.test.ts): the render form's quote
// before its button, and a paused job's card, each against the figures the node's API gives.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { JobView } from '../src-main/core/api/contract.js';
import { formatCredits } from '../src-main/core/ledger/index.js';
import { shoot } from './page-tools.js';

/**
 * The render form, filled in: quoted with a budget far too short, it says so and offers the budget
 * it needs, which its button puts in the budget field; any change clears the quote. Leaves the
 * budget at `budget`; returns the cost quoted, in credits.
 */
export async function quoteInTheForm(page: Page, units: string, budget: string): Promise<number> {
  await page.getByTestId('render-budget').fill('0.001');
  await page.getByTestId('render-estimate-button').click();
  await page.getByTestId('render-estimate').waitFor();
  const line = async (label: string) => (await page.getByTestId(`render-estimate-${label}`).textContent()) ?? '';
  assert.equal(await line('units'), units);
  assert.match(await line('budget'), /^0\.001 credits: short; about \d+\.\d{3} sees it through without pausing$/);
  const cost = Number(/^about (\d+\.\d{3}) credits in all/.exec(await line('cost'))?.[1]);
  assert.ok(cost > 0, `a cost is quoted: ${await line('cost')}`);
  await shoot(page, '06a-render-estimate');
  const use = page.getByTestId('render-estimate-use-budget');
  const needed = /Use a budget of (\d+\.\d{3})/.exec((await use.textContent()) ?? '')?.[1];
  await use.click();
  assert.equal(await page.getByTestId('render-budget').inputValue(), needed);
  assert.match(await line('budget'), /: enough \(/);
  await page.getByTestId('render-budget').fill(budget);
  assert.equal(await page.getByTestId('render-estimate').count(), 0, 'a change to the form clears the quote');
  return cost;
}

/** The job completed, and paid what the form quoted (`quoted`, in credits), within 10 %. */
export function completedAsQuoted(job: JobView, quoted: number): void {
  assert.equal(job.state, 'completed');
  assert.ok(Math.abs(job.spent / 1000 / quoted - 1) <= 0.1, `paid ${formatCredits(job.spent)}, quoted ${quoted}`);
}

/** A paused job's card says what its view says, why and what it needs; its Raise button asks for that. */
export async function raiseOnTheCard(page: Page, paused: JobView): Promise<void> {
  const id = paused.job_id;
  assert.ok(paused.budget_needed !== null && paused.budget_needed > paused.budget, String(paused.budget_needed));
  assert.equal(await page.getByTestId(`job-waiting-${id}`).textContent(), `waiting: ${paused.waiting}`);
  const raise = page.getByTestId(`job-raise-${id}`);
  assert.equal(await raise.textContent(), `Raise to ${formatCredits(paused.budget_needed)}`);
  await shoot(page, '08b-jobs-paused');
  await raise.click();
}
