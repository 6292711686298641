// Requests and blob fetches to peers as the node makes them: each bounded in time, ended when the
// node stops, and tracked so that its stop waits for them.
import { describeError } from '../../../core/errors.js';
import type { MeshNetwork } from '../../p2p/index.js';
import type { NodeContext } from '../context/node-context.js';
import type { InFlight } from '../basics/lifecycle.js';

/** How long a message to a peer waits for its reply (unless the call says otherwise), and a blob for its bytes. */
const SEND_TIMEOUT_MS = 10_000;
const FETCH_TIMEOUT_MS = 30_000;

/** NodeContext's send and fetchBlob over `network`, until `stopping` aborts. */
export function peerCalls(
  network: MeshNetwork,
  stopping: AbortSignal,
  inFlight: InFlight,
  log: (message: string) => void,
): Pick<NodeContext, 'send' | 'fetchBlob'> {
  const send = async (peer: string, type: string, body: unknown, timeoutMs = SEND_TIMEOUT_MS) => {
    if (stopping.aborted) return undefined;
    try {
      return await network.request(peer, type, body, {
        signal: AbortSignal.any([stopping, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      if (!stopping.aborted) log(`sending ${type} to ${peer} failed: ${describeError(err)}`);
      return undefined;
    }
  };
  return {
    send: (peer, type, body, options) => inFlight.track(send(peer, type, body, options?.timeoutMs)),
    fetchBlob: (peer, cid, maxBytes) =>
      inFlight.track(
        network.fetchBlob(peer, cid, {
          maxBytes,
          signal: AbortSignal.any([stopping, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
        }),
      ),
  };
}
