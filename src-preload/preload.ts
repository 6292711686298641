// The desktop window's preload: runs sandboxed, before the page, and puts `window.mesh` (the
// MeshBridge of bridge.ts) on it through contextBridge — contract calls by name, the event stream,
// and the desktop-only settings. No ipcRenderer, no Node, nothing else crosses. It imports no
// schema (that would bundle zod into every page load): the main process checks everything, and a
// name that is no method has no channel, so its invoke rejects.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, type BridgeReply, type MeshBridge } from './bridge.js';

const notAMethod = (method: string): BridgeReply => ({
  ok: false,
  error: { code: 'not_found', message: `no such method: ${method.slice(0, 100)}` },
});
let nextSubscription = 1;
const isTrue = (reply: unknown): boolean =>
  (reply as BridgeReply | undefined)?.ok === true && (reply as { result: unknown }).result === true;

const bridge: MeshBridge = {
  async call(method, paramsJson) {
    if (typeof method !== 'string') return notAMethod(String(method));
    if (typeof paramsJson !== 'string')
      return { ok: false, error: { code: 'bad_request', message: 'params must be JSON text' } };
    try {
      return (await ipcRenderer.invoke(`${IPC_CHANNELS.callPrefix}${method}`, paramsJson)) as BridgeReply;
    } catch {
      return notAMethod(method); // "No handler registered for mesh:call:<method>"
    }
  },
  subscribe(after, onLines) {
    const id = nextSubscription++;
    const listener = (_event: IpcRendererEvent, subscription: unknown, lines: unknown) => {
      if (subscription === id && typeof lines === 'string') onLines(lines);
    };
    ipcRenderer.on(IPC_CHANNELS.events, listener);
    ipcRenderer.send(IPC_CHANNELS.subscribe, id, Number.isSafeInteger(after) && after >= 0 ? after : 0);
    return () => {
      ipcRenderer.off(IPC_CHANNELS.events, listener);
      ipcRenderer.send(IPC_CHANNELS.unsubscribe, id);
    };
  },
  desktop: {
    // The main process answers with a BridgeReply: the setting as the OS now has it, or a refusal.
    getOpenAtLogin: async () => isTrue(await ipcRenderer.invoke(IPC_CHANNELS.getOpenAtLogin)),
    // The page may pass anything: only true turns it on.
    setOpenAtLogin: async (on: unknown) => isTrue(await ipcRenderer.invoke(IPC_CHANNELS.setOpenAtLogin, on === true)),
  },
};

contextBridge.exposeInMainWorld('mesh', bridge);
