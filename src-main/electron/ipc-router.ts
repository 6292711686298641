// What the desktop app's IPC does, without Electron: who may ask (the sender check), and what
// each channel answers. ipc.ts only binds ipcMain's channels to this router, so plain Node tests
// run every decision made here.
import type { ApiHandlers, EventFeed } from '../core/api/contract.js';
import { describe, dispatchCall, type ApiReply } from '../node/api/dispatch.js';
import { batchedSubscription } from '../node/api/event-batches.js';
import { isAppOrigin } from './app-scheme.js';

/** What Electron tells us about the frame that sent a message (ipc.ts reads it off the event). */
export interface SenderInfo {
  /** The sending frame's URL. */
  url: string;
  /** The top frame of its page, not an iframe inside it. */
  isMainFrame: boolean;
  /** Its page is our window's webContents, not some other webContents. */
  belongsToOurWindow: boolean;
}

/** Only our own page, in our window, in its top frame, may talk to the node. */
function isTrustedSender(sender: SenderInfo | undefined): boolean {
  return sender !== undefined && sender.belongsToOurWindow && sender.isMainFrame && isAppOrigin(sender.url);
}

/** The desktop-only settings (app.getLoginItemSettings / setLoginItemSettings). */
interface LoginItem {
  getOpenAtLogin(): boolean;
  setOpenAtLogin(on: boolean): void;
}

/** Where a subscription's batches go (the sending webContents). */
type EventSink = (subscription: number, lines: string) => void;

export interface IpcRouterOptions {
  handlers: ApiHandlers;
  events: EventFeed;
  loginItem: LoginItem;
  log: (message: string) => void;
}

/** A page may hold this many event subscriptions at once; one that leaks them is cut off. */
export const MAX_SUBSCRIPTIONS_PER_PAGE = 16;

const UNAUTHORIZED: ApiReply = {
  ok: false,
  error: { code: 'unauthorized', message: 'this window may not call the node' },
};
const badRequest = (message: string): ApiReply => ({ ok: false, error: { code: 'bad_request', message } });

export interface IpcRouter {
  /** `mesh:call:<method>`: the contract call, for a trusted sender only. */
  call(sender: SenderInfo | undefined, method: string, paramsJson: unknown): Promise<ApiReply>;
  /** Starts sending events after `after` to `sink`, as JSON-lines batches; `page` names the sending webContents. */
  subscribe(
    sender: SenderInfo | undefined,
    page: number,
    subscription: unknown,
    after: unknown,
    sink: EventSink,
  ): ApiReply;
  unsubscribe(page: number, subscription: unknown): void;
  /** The page went away (destroyed, reloaded, navigated): all its subscriptions end. */
  forgetPage(page: number): void;
  getOpenAtLogin(sender: SenderInfo | undefined): ApiReply;
  setOpenAtLogin(sender: SenderInfo | undefined, on: unknown): ApiReply;
  /** How many subscriptions are open now, over all pages. */
  readonly subscriptions: number;
}

export function ipcRouter({ handlers, events, loginItem, log }: IpcRouterOptions): IpcRouter {
  /** page → subscription id → its unsubscribe. */
  const pages = new Map<number, Map<number, () => void>>();

  const refuse = (what: string, sender: SenderInfo | undefined): ApiReply => {
    log(
      `refused ${what} from ${sender === undefined ? 'a frame that is gone' : `${sender.url.slice(0, 200)} (main frame: ${sender.isMainFrame}, our window: ${sender.belongsToOurWindow})`}`,
    );
    return UNAUTHORIZED;
  };

  return {
    async call(sender, method, paramsJson) {
      if (!isTrustedSender(sender)) return refuse(`a call of ${method.slice(0, 100)}`, sender);
      return dispatchCall(handlers, method, paramsJson, log);
    },

    subscribe(sender, page, subscription, after, sink) {
      if (!isTrustedSender(sender)) return refuse('an event subscription', sender);
      if (!isWholeNumber(subscription) || !isWholeNumber(after))
        return badRequest('subscription and after: expected whole numbers');
      const mine = pages.get(page) ?? new Map<number, () => void>();
      if (mine.has(subscription)) return badRequest(`subscription ${subscription} is already open`);
      if (mine.size >= MAX_SUBSCRIPTIONS_PER_PAGE)
        return badRequest(`at most ${MAX_SUBSCRIPTIONS_PER_PAGE} event subscriptions per window`);
      pages.set(page, mine);
      try {
        mine.set(
          subscription,
          batchedSubscription(events, after, (lines) => sink(subscription, lines), log),
        );
      } catch (err) {
        log(`event feed failed: ${describe(err)}`);
        return { ok: false, error: { code: 'internal', message: 'internal error' } };
      }
      return { ok: true, result: { subscription } };
    },

    unsubscribe(page, subscription) {
      const mine = pages.get(page);
      if (mine === undefined || !isWholeNumber(subscription)) return;
      mine.get(subscription)?.();
      mine.delete(subscription);
    },

    forgetPage(page) {
      for (const unsubscribe of pages.get(page)?.values() ?? []) unsubscribe();
      pages.delete(page);
    },

    getOpenAtLogin(sender) {
      if (!isTrustedSender(sender)) return refuse('reading open-at-login', sender);
      return { ok: true, result: loginItem.getOpenAtLogin() };
    },

    setOpenAtLogin(sender, on) {
      if (!isTrustedSender(sender)) return refuse('setting open-at-login', sender);
      if (typeof on !== 'boolean') return badRequest('on: expected a boolean');
      loginItem.setOpenAtLogin(on);
      return { ok: true, result: loginItem.getOpenAtLogin() }; // what the OS now says (Linux: always false)
    },

    get subscriptions() {
      let count = 0;
      for (const mine of pages.values()) count += mine.size;
      return count;
    },
  };
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
