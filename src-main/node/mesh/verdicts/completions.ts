// A job's completion is announced once (`job.completed`, and the desktop app's "Job finished"
// notification with it), though each of the verdicts journaled together with its last one sees the
// job complete when it closes.

/** Completions remembered: a job's late verdict long after it completed may announce it again. */
const REMEMBERED = 1024;

export class Completions {
  /** Job id → the completion (its `completedAt`) announced; oldest first. */
  readonly #announced = new Map<string, string>();

  /** True the first time it is asked about this completion of the job; a job completed again (a reopened unit) is new. */
  first(jobId: string, completedAt: string): boolean {
    if (this.#announced.get(jobId) === completedAt) return false;
    this.#announced.delete(jobId);
    this.#announced.set(jobId, completedAt);
    if (this.#announced.size > REMEMBERED) this.#announced.delete(this.#announced.keys().next().value!);
    return true;
  }
}
