// The UI in the desktop app: the preload's bridge carries each call to the main process, which
// validates it against the contract and runs the node's handler (src-main/electron/ipc.ts).
import type { ApiEvent, MethodInput, MethodName, MethodResult } from '../../src-main/core/api/contract.js';
import type { MeshBridge } from '../../src-preload/bridge.js';
import { CallError, eventsOfLines, resultOf, type MeshTransport } from './transport.js';

export function ipcTransport(bridge: MeshBridge): MeshTransport {
  return {
    async call<M extends MethodName>(method: M, params: MethodInput<M>): Promise<MethodResult<M>> {
      return resultOf(method, await bridge.call(method, JSON.stringify(params)));
    },
    subscribe(after: number, onEvent: (event: ApiEvent) => void, onEnd: (error: CallError) => void): () => void {
      let unsubscribe: (() => void) | undefined;
      unsubscribe = bridge.subscribe(after, (lines) => {
        const error = eventsOfLines(lines, onEvent);
        if (error && unsubscribe) {
          unsubscribe();
          unsubscribe = undefined;
          onEnd(error);
        }
      });
      return () => unsubscribe?.();
    },
    desktop: bridge.desktop,
  };
}
