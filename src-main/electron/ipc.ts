// Binds ipcMain's channels to the router of ipc-router.ts: one `mesh:call:<method>` handler per
// contract method, the event subscription channels, and the open-at-login setting. Every
// decision (who may ask, what is valid) is the router's; this file only reads who sent a message.
import {
  app,
  ipcMain,
  type BrowserWindow,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import { API_METHODS } from '../core/api/contract.js';
import { IPC_CHANNELS } from '../../src-preload/bridge.js';
import { HIDDEN_FLAG } from './launch-options.js';
import { ipcRouter, type IpcRouterOptions, type SenderInfo } from './ipc-router.js';

/** The OS's "open at login" item (macOS and Windows; Electron has none on Linux, where it stays off). */
const loginItem = {
  getOpenAtLogin: () => app.getLoginItemSettings().openAtLogin,
  setOpenAtLogin: (on: boolean) => app.setLoginItemSettings({ openAtLogin: on, args: [HIDDEN_FLAG] }),
};

/** What Electron says about the frame that sent `event`, or undefined when the frame is gone. */
function senderOf(
  event: IpcMainEvent | IpcMainInvokeEvent,
  ourWindow: BrowserWindow | undefined,
): SenderInfo | undefined {
  const frame = event.senderFrame;
  if (frame === null || frame.detached || ourWindow === undefined || ourWindow.isDestroyed()) return undefined;
  const ours = ourWindow.webContents;
  return {
    url: frame.url,
    isMainFrame: frame.parent === null && frame.frameToken === ours.mainFrame.frameToken,
    belongsToOurWindow: event.sender === ours,
  };
}

/** Registers every channel; returns what unregisters them and ends every subscription. */
export function bindIpc(
  options: Omit<IpcRouterOptions, 'loginItem'>,
  ourWindow: () => BrowserWindow | undefined,
): () => void {
  const router = ipcRouter({ ...options, loginItem });
  const methods = Object.keys(API_METHODS);
  for (const method of methods) {
    ipcMain.handle(`${IPC_CHANNELS.callPrefix}${method}`, (event, paramsJson: unknown) =>
      router.call(senderOf(event, ourWindow()), method, paramsJson),
    );
  }
  ipcMain.handle(IPC_CHANNELS.getOpenAtLogin, (event) => router.getOpenAtLogin(senderOf(event, ourWindow())));
  ipcMain.handle(IPC_CHANNELS.setOpenAtLogin, (event, on: unknown) =>
    router.setOpenAtLogin(senderOf(event, ourWindow()), on),
  );

  // A page's subscriptions end with the page: when its webContents is destroyed, and when it
  // reloads (the new page numbers its subscriptions from 1 again).
  const watched = new Set<WebContents>();
  const watch = (contents: WebContents) => {
    if (watched.has(contents)) return;
    watched.add(contents);
    const forget = () => router.forgetPage(contents.id);
    contents.once('destroyed', () => {
      watched.delete(contents);
      forget();
    });
    contents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) forget();
    });
  };
  const onSubscribe = (event: IpcMainEvent, subscription: unknown, after: unknown) => {
    const contents = event.sender;
    const reply = router.subscribe(senderOf(event, ourWindow()), contents.id, subscription, after, (id, lines) => {
      if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.events, id, lines);
    });
    if (reply.ok) watch(contents);
    else if (reply.error.code !== 'unauthorized') options.log(`event subscription refused: ${reply.error.message}`); // the router logs refusals itself
  };
  const onUnsubscribe = (event: IpcMainEvent, subscription: unknown) =>
    router.unsubscribe(event.sender.id, subscription);
  ipcMain.on(IPC_CHANNELS.subscribe, onSubscribe);
  ipcMain.on(IPC_CHANNELS.unsubscribe, onUnsubscribe);

  return () => {
    for (const channel of [
      ...methods.map((method) => `${IPC_CHANNELS.callPrefix}${method}`),
      IPC_CHANNELS.getOpenAtLogin,
      IPC_CHANNELS.setOpenAtLogin,
    ])
      ipcMain.removeHandler(channel);
    ipcMain.off(IPC_CHANNELS.subscribe, onSubscribe);
    ipcMain.off(IPC_CHANNELS.unsubscribe, onUnsubscribe);
    for (const contents of watched) router.forgetPage(contents.id);
    watched.clear();
  };
}
