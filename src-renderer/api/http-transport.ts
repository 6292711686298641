// The UI in a browser, served by a headless node: calls are POSTs to /api/v1/<method> and events
// come over the /api/v1/events WebSocket, both on the page's own origin. The token comes in the
// URL's fragment (`meshctl ui` prints it), which the browser never sends anywhere; it is kept in
// this tab's sessionStorage so a reload works, and taken out of the address bar at once.
import type { ApiEvent, MethodInput, MethodName, MethodResult } from '../../src-main/core/api/contract.js';
import { CallError, eventsOfLines, parseReply, resultOf, type MeshTransport } from './transport.js';

const TOKEN_KEY = 'mesh-token';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,512}$/;

/** The token from `#token=…` (then removed from the URL), or the one this tab already had. */
export function takeToken(location: Location, history: History, storage: Storage): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash !== null && TOKEN_PATTERN.test(fromHash)) {
    storage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    return fromHash;
  }
  const kept = storage.getItem(TOKEN_KEY);
  return kept !== null && TOKEN_PATTERN.test(kept) ? kept : undefined;
}

export function httpTransport(origin: string, token: string): MeshTransport {
  return {
    async call<M extends MethodName>(method: M, params: MethodInput<M>): Promise<MethodResult<M>> {
      let text: string;
      try {
        const response = await fetch(`${origin}/api/v1/${method}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(params),
        });
        text = await response.text();
      } catch {
        throw new CallError('unavailable', 'cannot reach the node: is it still running?');
      }
      return resultOf(method, parseReply(text));
    },

    subscribe(after: number, onEvent: (event: ApiEvent) => void, onEnd: (error: CallError) => void): () => void {
      const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/v1/events?after=${after}`, [
        `mesh-token.${token}`,
      ]);
      let ended = false;
      const end = (error: CallError) => {
        if (ended) return;
        ended = true;
        ws.close();
        onEnd(error);
      };
      ws.addEventListener('message', (message) => {
        if (typeof message.data !== 'string')
          return end(new CallError('internal', 'the node sent a binary event frame'));
        const error = eventsOfLines(message.data, onEvent);
        if (error) end(error);
      });
      ws.addEventListener('close', (close) =>
        end(new CallError('unavailable', close.reason || 'lost the connection to the node')),
      );
      return () => {
        ended = true;
        ws.close();
      };
    },
  };
}
