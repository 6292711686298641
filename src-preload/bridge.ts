// What the preload puts on `window.mesh` in the desktop app, and nothing more: the node's API as
// contract calls with JSON params, the event stream, and the few desktop-only settings. The
// renderer's IPC transport is written against this type; src-preload/preload.ts implements it.
import type { ApiErrorCode } from '../src-main/core/api/contract.js';

export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: { code: ApiErrorCode; message: string } };

export interface MeshBridge {
  /** One contract method; the main process validates `paramsJson` against the method's schema. */
  call(method: string, paramsJson: string): Promise<BridgeReply>;
  /** Events after `after`, then live ones, each batch as JSON lines; returns the unsubscribe. */
  subscribe(after: number, onLines: (lines: string) => void): () => void;
  desktop: DesktopBridge;
}

/** Settings only the desktop app has (a browser tab cannot start at login). */
export interface DesktopBridge {
  getOpenAtLogin(): Promise<boolean>;
  setOpenAtLogin(on: boolean): Promise<boolean>;
}

/** The channel names, shared by preload and main so neither spells them twice. */
export const IPC_CHANNELS = Object.freeze({
  /** Followed by the contract method's name: one invoke channel per method. */
  callPrefix: 'mesh:call:',
  subscribe: 'mesh:events:subscribe',
  unsubscribe: 'mesh:events:unsubscribe',
  events: 'mesh:events',
  getOpenAtLogin: 'mesh:desktop:get-open-at-login',
  setOpenAtLogin: 'mesh:desktop:set-open-at-login',
  /** The desktop app's hidden GPU window: the main process sends the runner page its MessagePort here. */
  gpuPort: 'mesh:gpu:port',
} as const);
