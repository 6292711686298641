// The app's one window, locked down: the page runs sandboxed with context isolation and no Node,
// sees the node only through the preload's `window.mesh`, never leaves app://mesh/, opens no
// windows or webviews, and gets no permission (camera, notifications, geolocation…) it asks for.
import { describeError } from '../core/errors.js';
import { BrowserWindow, session, shell, type Session } from 'electron';
import { APP_START_URL, isAppPage, isHttpsUrl } from './app-scheme.js';

export interface MainWindowOptions {
  /** dist/src-preload/preload.cjs */
  preload: string;
  /** The window's icon (Linux and Windows). */
  icon: string;
  /** Start hidden (the app was opened at login: it lives in the tray). */
  hidden: boolean;
  /** Tools for developers only where the app is not packaged. */
  devTools: boolean;
  log: (message: string) => void;
}

/** Permissions: none, for every page, asked or merely checked. */
export function denyAllPermissions(target: Session = session.defaultSession): void {
  target.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'Mesh Compute',
    icon: options.icon,
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      // Reviewed: it exposes typed functions through contextBridge, never ipcRenderer or Node (src-preload/preload.ts).
      preload: options.preload, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A middle click would otherwise ask to open a window; the open handler denies it, and this stops the ask.
      disableBlinkFeatures: 'Auxclick',
      devTools: options.devTools,
    },
  });
  const contents = window.webContents;

  // The page is a single-page app: the only navigation it may make is a reload of itself.
  const stayOnOurPage = (event: { preventDefault(): void }, url: string) => {
    if (!isAppPage(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => stayOnOurPage(event, event.url));
  contents.on('will-redirect', (event) => stayOnOurPage(event, event.url));
  contents.on('will-frame-navigate', (event) => stayOnOurPage(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No new windows; an https link (the docs, a peer's site) opens in the person's own browser.
  contents.setWindowOpenHandler(({ url }) => {
    if (isHttpsUrl(url)) {
      // Only https URLs reach it (isHttpsUrl), never file:, javascript: or custom schemes.
      const opened = shell.openExternal(url); /* eng-disable OPEN_EXTERNAL_JS_CHECK */
      opened.catch(() => options.log(`could not open ${url} in the browser`));
    }
    return { action: 'deny' };
  });

  window.once('ready-to-show', () => {
    if (!options.hidden) window.show();
  });
  window
    .loadURL(APP_START_URL)
    .catch((err: unknown) => options.log(`the window could not load its page: ${describeError(err)}`));
  return window;
}
