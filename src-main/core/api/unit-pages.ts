// Every unit of a job, as a client reads them: `jobs.status` a page at a time (LIMITS.unitsPerPage),
// so the node answers its peers and other clients between pages.
import { LIMITS } from '../schemas/primitives.js';
import type { UnitView } from './shapes.js';

/** `page(from)`: the units `jobs.status` lists from unit `from` (none: undefined or empty). */
export async function everyUnit(page: (from: number) => Promise<readonly UnitView[] | undefined>): Promise<UnitView[]> {
  const units: UnitView[] = [];
  for (;;) {
    const next = (await page(units.length)) ?? [];
    for (const unit of next) units.push(unit);
    if (next.length < LIMITS.unitsPerPage) return units;
  }
}
