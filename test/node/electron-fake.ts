// A stand-in for the `electron` module, for running the desktop app's main process under plain
// Node where no Electron binary exists (desktop-main.test.ts maps `electron` here with a module
// hook). It does only what src-main/electron calls, the way electron.d.ts describes it, and
// records what it was asked so the test can look. It is not Electron: it checks our wiring.
import { EventEmitter } from 'node:events';

/** An event whose default the listener may prevent, as Electron's are. */
export function preventable(fields: object = {}): { defaultPrevented: boolean; preventDefault(): void } {
  return {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

interface Frame {
  url: string;
  frameToken: string;
  parent: Frame | null;
  detached: boolean;
}

let nextContentsId = 1;
export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame: Frame = { url: '', frameToken: `main-${this.id}`, parent: null, detached: false };
  readonly sent: unknown[][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
    // The preload under test runs in the page ipcRenderer.page names; messages arrive a moment later, copied.
    if (ipcRenderer.page?.sender === this) setImmediate(() => ipcRenderer.emit(channel, {}, ...structuredClone(args)));
  }
  isDestroyed(): boolean {
    return false;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** A frame inside this page (an iframe). */
  subframe(url: string): Frame {
    return { url, frameToken: `sub-${this.id}`, parent: this.mainFrame, detached: false };
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly all: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  destroyed = false;
  constructor(readonly options: { webPreferences: Record<string, unknown> } & Record<string, unknown>) {
    super();
    BrowserWindow.all.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.webContents.mainFrame.url = url;
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  close(): void {
    const event = preventable();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.emit('closed');
  }
}

class FakeApp extends EventEmitter {
  readonly isPackaged = false;
  readonly paths = new Map<string, string>();
  /** Chromium switches the app appended before ready. */
  readonly switches = new Map<string, string | undefined>();
  readonly commandLine = { appendSwitch: (name: string, value?: string) => void this.switches.set(name, value) };
  getAppMetrics(): { type: string; pid: number }[] {
    return [];
  }
  ready = false;
  #becameReady: () => void = () => {};
  readonly #ready = new Promise<void>((resolve) => (this.#becameReady = resolve));
  exited = false;
  exitCode: number | undefined;
  #openAtLogin = false;
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  whenReady(): Promise<void> {
    return this.#ready;
  }
  /** The test's signal that Electron is ready. */
  becomeReady(): void {
    this.ready = true;
    this.#becameReady();
  }
  /** As Electron: 'before-quit' may prevent it; otherwise the windows close and the app ends. */
  quit(): void {
    const event = preventable();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    for (const window of BrowserWindow.all) if (!window.destroyed) window.close();
    this.exited = true;
  }
  exit(code: number): void {
    this.exitCode = code;
    this.exited = true;
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: this.#openAtLogin };
  }
  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.#openAtLogin = settings.openAtLogin;
  }
}
export const app = new FakeApp();

type Handler = (event: unknown, ...args: unknown[]) => unknown;
class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}
export const ipcMain = new FakeIpcMain();

/** The preload's side, running in the page `page` (which the test sets): it reaches ipcMain as that page. */
class FakeIpcRenderer extends EventEmitter {
  page: { sender: FakeWebContents; senderFrame: Frame | null } | undefined;
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = ipcMain.handlers.get(channel);
    if (handler === undefined)
      throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    return structuredClone(await handler(this.page, ...structuredClone(args)));
  }
  send(channel: string, ...args: unknown[]): void {
    ipcMain.emit(channel, this.page, ...structuredClone(args));
  }
}
export const ipcRenderer = new FakeIpcRenderer();

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: { url: string; method: string }) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    if (app.ready) throw new Error('protocol.registerSchemesAsPrivileged must be called before the app is ready');
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: { url: string; method: string }) => Promise<Response>): void {
    if (!app.ready) throw new Error('protocol.handle must be called after the app is ready');
    this.handlers.set(scheme, handler);
  },
};

type PermissionCallback = (granted: boolean) => void;
export const session = {
  defaultSession: {
    requestHandler: undefined as
      ((contents: unknown, permission: string, callback: PermissionCallback) => void) | undefined,
    checkHandler: undefined as (() => boolean) | undefined,
    deviceHandler: undefined as (() => boolean) | undefined,
    setPermissionRequestHandler(
      handler: (contents: unknown, permission: string, callback: PermissionCallback) => void,
    ) {
      this.requestHandler = handler;
    },
    setPermissionCheckHandler(handler: () => boolean) {
      this.checkHandler = handler;
    },
    setDevicePermissionHandler(handler: () => boolean) {
      this.deviceHandler = handler;
    },
  },
};

export const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  },
};

interface MenuItemOptions {
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  click?: () => void;
}
export const Menu = {
  buildFromTemplate(template: MenuItemOptions[]) {
    return {
      items: template.map((item) => ({
        type: 'normal',
        enabled: true,
        checked: false,
        ...item,
        click: () => item.click?.(),
      })),
    };
  },
};

export class Tray extends EventEmitter {
  static current: Tray | undefined;
  menu: ReturnType<typeof Menu.buildFromTemplate> | undefined;
  tooltip = '';
  destroyed = false;
  constructor(readonly icon: string) {
    super();
    Tray.current = this;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: ReturnType<typeof Menu.buildFromTemplate>): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class Notification {
  static readonly shown: unknown[] = [];
  static isSupported(): boolean {
    return true;
  }
  constructor(readonly options: unknown) {}
  show(): void {
    Notification.shown.push(this.options);
  }
}

export const powerMonitor = Object.assign(new EventEmitter(), { getSystemIdleTime: () => 0 });

export const dialog = {
  errors: [] as string[][],
  showErrorBox(title: string, message: string): void {
    this.errors.push([title, message]);
  },
};

/** A channel's two ends; the desktop GPU window (not started in these tests) sends one to its page. */
export class MessageChannelMain {
  readonly port1 = Object.assign(new EventEmitter(), { start() {}, close() {}, postMessage(_message: unknown) {} });
  readonly port2 = Object.assign(new EventEmitter(), { start() {}, close() {}, postMessage(_message: unknown) {} });
}
