// A node's start is a few long steps on the main thread: loading its code, opening the journal,
// starting the network. Between them it lets the event loop take what is waiting, above all a
// browser's requests for the web UI's files: a page opened as the node starts then gets them at
// once, and its browser parses them while the node goes on, instead of after the node is up
// (`ui_interactive_ms` measures it, docs/BENCHMARKS.md).

/** Resolves once the event loop has polled for I/O: two setImmediate hops, since one begun in the poll phase runs before the next poll. */
export function letWaitingRequestsIn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
