// What the desktop app's IPC does, without Electron: who may ask (the sender check), and what
// each channel answers. ipc.ts only binds ipcMain's channels to this router, so plain Node tests
// run every decision made here.
import { ApiEventSchema, MAX_EVENTS_PER_FRAME, type ApiEvent, type ApiHandlers, type EventFeed } from '../core/api/contract.js';
import { validate } from '../core/schemas/index.js';
import { describe, dispatchCall, type ApiReply } from '../node/api/dispatch.js';
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
export function isTrustedSender(sender: SenderInfo | undefined): boolean {
  return sender !== undefined && sender.belongsToOurWindow && sender.isMainFrame && isAppOrigin(sender.url);
}

/** The desktop-only settings (app.getLoginItemSettings / setLoginItemSettings). */
export interface LoginItem {
  getOpenAtLogin(): boolean;
  setOpenAtLogin(on: boolean): void;
}

/** Where a subscription's batches go (the sending webContents). */
export type EventSink = (subscription: number, lines: string) => void;

export interface IpcRouterOptions {
  handlers: ApiHandlers;
  events: EventFeed;
  loginItem: LoginItem;
  log: (message: string) => void;
}

/** A page may hold this many event subscriptions at once; one that leaks them is cut off. */
export const MAX_SUBSCRIPTIONS_PER_PAGE = 16;

const UNAUTHORIZED: ApiReply = { ok: false, error: { code: 'unauthorized', message: 'this window may not call the node' } };
const badRequest = (message: string): ApiReply => ({ ok: false, error: { code: 'bad_request', message } });

export interface IpcRouter {
  /** `mesh:call:<method>`: the contract call, for a trusted sender only. */
  call(sender: SenderInfo | undefined, method: string, paramsJson: unknown): Promise<ApiReply>;
  /** Starts sending events after `after` to `sink`, as JSON-lines batches; `page` names the sending webContents. */
  subscribe(sender: SenderInfo | undefined, page: number, subscription: unknown, after: unknown, sink: EventSink): ApiReply;
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
    log(`refused ${what} from ${sender === undefined ? 'a frame that is gone' : `${sender.url.slice(0, 200)} (main frame: ${sender.isMainFrame}, our window: ${sender.belongsToOurWindow})`}`);
    return UNAUTHORIZED;
  };

  return {
    async call(sender, method, paramsJson) {
      if (!isTrustedSender(sender)) return refuse(`a call of ${method.slice(0, 100)}`, sender);
      return dispatchCall(handlers, method, paramsJson, log);
    },

    subscribe(sender, page, subscription, after, sink) {
      if (!isTrustedSender(sender)) return refuse('an event subscription', sender);
      if (!isWholeNumber(subscription) || !isWholeNumber(after)) return badRequest('subscription and after: expected whole numbers');
      const mine = pages.get(page) ?? new Map<number, () => void>();
      if (mine.has(subscription)) return badRequest(`subscription ${subscription} is already open`);
      if (mine.size >= MAX_SUBSCRIPTIONS_PER_PAGE) return badRequest(`at most ${MAX_SUBSCRIPTIONS_PER_PAGE} event subscriptions per window`);
      pages.set(page, mine);
      try {
        mine.set(subscription, batchedSubscription(events, after, (lines) => sink(subscription, lines), log));
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

/**
 * Subscribes to the feed and hands over the events of one tick together, as JSON lines, at most
 * MAX_EVENTS_PER_FRAME per batch (the same framing the WebSocket stream uses). Every event is
 * checked against the contract first: a bad one is a bug in the feed, logged and not sent.
 */
export function batchedSubscription(events: EventFeed, after: number, sendLines: (lines: string) => void, log: (message: string) => void): () => void {
  let queued: string[] = [];
  let ended = false;
  const flush = () => {
    const lines = queued;
    queued = [];
    try {
      for (let i = 0; i < lines.length && !ended; i += MAX_EVENTS_PER_FRAME) sendLines(lines.slice(i, i + MAX_EVENTS_PER_FRAME).join('\n'));
    } catch (err) {
      log(`sending events failed: ${describe(err)}`); // the page is going away; its 'destroyed' ends the subscription
    }
  };
  const unsubscribe = events.subscribe(after, (event: ApiEvent) => {
    const checked = validate(ApiEventSchema, event);
    if (!checked.ok) return log(`event feed sent an event that breaks the contract (a bug in the feed): ${checked.error.message}`);
    if (queued.length === 0) setImmediate(flush);
    queued.push(JSON.stringify(checked.value));
  });
  return () => {
    ended = true;
    unsubscribe();
  };
}
