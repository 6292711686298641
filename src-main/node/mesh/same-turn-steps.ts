// Steps recorded in one turn of the event loop, journaled as one step: the verdicts a requester
// reaches together (a `results` message's units, decided in the same turn) are then one
// `units.verified` event and their payments one `ledger.entries` (journal-step.ts), not an event or
// two a unit. The steps' verdicts go first, side by side; the rest keep their order after them.
import type { NewEvent } from './context.js';

interface Waiting {
  events: NewEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class SameTurnSteps {
  #waiting: Waiting[] = [];

  constructor(private readonly journal: (events: NewEvent[]) => Promise<void>) {}

  /** Records the step with the others of this turn; settles as their one step does (NodeContext.record). */
  record(events: NewEvent[]): Promise<void> {
    if (this.#waiting.length === 0) setImmediate(() => this.#flush());
    return new Promise<void>((resolve, reject) => this.#waiting.push({ events, resolve, reject }));
  }

  #flush(): void {
    const steps = this.#waiting;
    this.#waiting = [];
    const events = steps.flatMap((step) => step.events);
    const verdicts = events.filter((e) => e.type === 'unit.verified');
    this.journal([...verdicts, ...events.filter((e) => e.type !== 'unit.verified')]).then(
      () => steps.forEach((step) => step.resolve()),
      (err: unknown) => steps.forEach((step) => step.reject(err)),
    );
  }
}
