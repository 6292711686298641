// The hardware probe's thread: systeminformation (hundreds of files to load) and the programs it
// runs (lspci, lscpu…) stay off the node's main thread, and at the lowest CPU priority, which the
// programs spawned from this thread inherit: a first start's UI, loading meanwhile, comes first.
// probe-thread.ts starts it; it sends the probe and is done.
import { parentPort } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../exec/thread-priority.js';
import { probeHardware } from './probe.js';

lowerThisThreadsPriority();
// No top-level await: the module is evaluated by the time the probe is sent, so ending the thread
// then is safe (nodejs/node#53238).
probeHardware().then(
  // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread's port, not a window
  (info) => parentPort?.postMessage(info),
  () => process.exit(1), // it never throws; were it to, the main thread probes by itself
);
