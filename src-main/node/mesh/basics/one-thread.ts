// A pool of one thread for work that must not hold the main thread (frames' PNGs, snapshots):
// started with its first task and ended after `idleMs` without one, so an idle node holds no
// isolate for it.
import { Piscina } from 'piscina';
import { builtFile } from '../../../core/build-layout.js';

/** `worker`: the thread's script, as the build lays it out (`src-main/node/mesh/render/png-worker.js`). */
export function oneThread<Task, Result>(worker: string, idleMs: number): Piscina<Task, Result> {
  return new Piscina<Task, Result>({
    filename: builtFile(import.meta.url, worker),
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: idleMs,
  });
}
