// How far my renders of others' units have come, told to each requester for its live mosaic: the
// first `Sample n/m` at once, then the latest of each unit at most once a second (PROGRESS_EVERY_MS),
// in one `progress` message. Best effort: a message that fails is not sent again (the next one, or the
// result, says more).
import type { SampleProgress } from '../../../core/blender/progress.js';
import { MAX_BATCH, PROGRESS_EVERY_MS, type MessageBody } from '../../../core/protocol/messages.js';
import type { NodeContext } from '../context/node-context.js';

type ProgressNeeds = Pick<NodeContext, 'background' | 'send'>;

export class ProgressReports {
  /** By requester: the latest progress of each of its assignments not told yet. */
  readonly #latest = new Map<string, Map<string, SampleProgress>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ctx: ProgressNeeds) {}

  report(requester: string, assignmentId: string, progress: SampleProgress): void {
    let latest = this.#latest.get(requester);
    if (!latest) this.#latest.set(requester, (latest = new Map()));
    if (latest.size >= MAX_BATCH && !latest.has(assignmentId)) return; // a batch's worth is waiting: enough
    latest.set(assignmentId, progress);
    if (!this.#timers.has(requester)) this.#send(requester); // the first at once; then a second apart
  }

  /** The assignment has its result (or was handed back): its progress is not told after it. */
  ended(requester: string, assignmentId: string): void {
    this.#latest.get(requester)?.delete(assignmentId);
  }

  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#latest.clear();
  }

  /** What is waiting for the requester sent, and what comes within the next second held until then. */
  #send(requester: string): void {
    this.#timers.delete(requester);
    const latest = this.#latest.get(requester);
    this.#latest.delete(requester);
    if (!latest || latest.size === 0) return;
    const timer = setTimeout(() => this.#send(requester), PROGRESS_EVERY_MS);
    timer.unref();
    this.#timers.set(requester, timer);
    const body: MessageBody<'progress'> = {
      units: [...latest].map(([assignment_id, { sample, of }]) => ({ assignment_id, sample, of })),
    };
    this.ctx.background(`telling ${requester} of my renders' progress`, this.ctx.send(requester, 'progress', body));
  }
}
