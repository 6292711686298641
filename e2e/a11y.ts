// Accessibility checks on a page as it stands: axe-core's rules (WCAG 2.x A and AA) run in the
// page, and a walk with the Tab key that must reach every control a mouse can.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
/** axe-core's browser bundle, evaluated in the page over DevTools (the page's CSP allows no injected script tag). */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
}

/** The serious and critical violations axe finds on the page, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return (result as AxeResult).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * The visible, enabled controls (links, buttons, fields, anything with a tab stop) that pressing
 * Tab from the top of the page never focuses, described by their accessible text.
 */
export async function unreachableByKeyboard(page: Page): Promise<string[]> {
  const count = await page.evaluate(() => {
    const selector = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
    const controls = [...document.querySelectorAll<HTMLElement>(selector)].filter(
      (el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0 && el.tabIndex >= 0,
    );
    controls.forEach((el, i) => (el.dataset.kbdIndex = String(i)));
    // Tab from the top of the page: a stop before everything, focused, then removed.
    const start = document.createElement('span');
    start.tabIndex = 0;
    document.body.prepend(start);
    start.focus();
    start.remove();
    return controls.length;
  });
  const reached = new Set<string>();
  // One stop per control (a radio group is one), so this many presses go round once with room to spare.
  for (let i = 0; i < 2 * count + 10 && reached.size < count; i++) {
    await page.keyboard.press('Tab');
    const index = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kbdIndex);
    if (index !== undefined) reached.add(index);
  }
  return page.evaluate(
    (seen) => {
      const missed = [...document.querySelectorAll<HTMLElement>('[data-kbd-index]')].filter(
        (el) => !seen.includes(el.dataset.kbdIndex!) && !(el instanceof HTMLInputElement && el.type === 'radio'),
      );
      for (const el of document.querySelectorAll<HTMLElement>('[data-kbd-index]')) delete el.dataset.kbdIndex;
      return missed.map(
        (el) =>
          `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`,
      );
    },
    [...reached],
  );
}
