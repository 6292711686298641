// The desktop app's entry point (package.json "main"): one instance per data dir, the node
// running in this process (its HTTP API too, so meshctl works beside the app), a tray icon the
// app lives in, and one locked-down window showing the UI from app://mesh/ over IPC.
import { builtFile } from '../core/build-layout.js';
import { describeError } from '../core/errors.js';
import { app, dialog, protocol, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from '../node/api/dispatch.js';
import { BUILT_UI_DIR } from '../node/api/static-ui.js';
import { startDaemon } from '../node/mesh/api/daemon.js';
import { BUILT_RUNNER_DIR } from '../node/gpu/runner-page.js';
import { APP_SCHEME, appResponse } from './app-scheme.js';
import { GpuWindow } from './gpu-window.js';
import { watchUserIdle } from './idle.js';
import { bindIpc } from './ipc.js';
import { launchOptions } from './launch-options.js';
import { notifyOnEvents } from './notifications.js';
import { createTray, type AppTray } from './tray.js';
import { createMainWindow, denyAllPermissions } from './window.js';

const PRELOAD = fileURLToPath(builtFile(import.meta.url, 'src-preload/preload.cjs'));
const GPU_PRELOAD = fileURLToPath(builtFile(import.meta.url, 'src-preload/gpu-preload.cjs'));
const ASSETS = fileURLToPath(builtFile(import.meta.url, '../assets/'));
const log = (message: string): void => void process.stderr.write(`mesh desktop: ${message}\n`);

// Electron's argv is [binary, (app path when not packaged), ...flags]; launchOptions skips positionals.
const launch = launchOptions(process.argv.slice(1));
// Chromium's profile lives with the node it shows, so the single-instance lock is per data dir too
// (and a test's app with its own data dir never meets the person's running one).
app.setPath('userData', join(launch.dataDir, 'desktop'));
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
// WebGPU for the hidden GPU window: behind a flag on Linux, where Vulkan is its backend.
if (process.platform === 'linux') {
  app.commandLine.appendSwitch('enable-unsafe-webgpu');
  app.commandLine.appendSwitch('enable-features', 'Vulkan');
}

interface Shell {
  showWindow(): void;
  stop(): Promise<void>;
}

async function startShell(): Promise<Shell> {
  protocol.handle(APP_SCHEME, (request) => appResponse(request.url, request.method, BUILT_UI_DIR, BUILT_RUNNER_DIR));
  denyAllPermissions();
  const gpu = { mode: launch.gpu, shaderUnits: launch.shaderUnits, openRunner: () => GpuWindow.open(GPU_PRELOAD) };
  const daemon = await startDaemon({ dataDir: launch.dataDir, listen: launch.listen, mdns: launch.mdns, gpu });
  const { node, handlers } = daemon;

  let window: BrowserWindow | undefined;
  const openWindow = (hidden: boolean) => {
    window = createMainWindow({
      preload: PRELOAD,
      icon: join(ASSETS, 'icon.png'),
      hidden,
      devTools: !app.isPackaged,
      log,
    });
    // Closing the window hides it: the app lives on in the tray until "Quit".
    window.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      window?.hide();
    });
    window.on('closed', () => (window = undefined));
  };
  const showWindow = () => {
    if (window === undefined || window.isDestroyed()) openWindow(false);
    else {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
    }
  };

  const stops: (() => void)[] = [];
  try {
    stops.push(bindIpc({ handlers, events: node.events, log }, () => window));
    const tray: AppTray = createTray(
      { events: node.events, status: () => handlers.status({}), setSharing: (on) => node.setSharing(on) },
      { open: showWindow, quit: () => app.quit() },
      join(ASSETS, 'tray.png'),
      log,
    );
    stops.push(() => tray.dispose());
    if (process.env.MESH_E2E === '1') Object.assign(globalThis, { meshE2E: { trayMenu: () => tray.menu() } }); // the e2e test clicks the tray from here
    stops.push(notifyOnEvents(node.events, handlers, log));
    stops.push(watchUserIdle(node));
    openWindow(launch.hidden);
  } catch (err) {
    for (const stop of stops.reverse()) stop();
    await daemon.stop();
    throw err;
  }

  return {
    showWindow,
    stop: async () => {
      for (const stop of stops.reverse()) stop();
      await daemon.stop();
    },
  };
}

/** Set once quitting begins: from then on a closing window really closes. */
let quitting = false;

if (!app.requestSingleInstanceLock()) {
  app.quit(); // the running instance hears 'second-instance' and shows its window
} else {
  const shell = app.whenReady().then(startShell);
  shell.catch((err: unknown) => {
    log(`could not start: ${describe(err)}`);
    dialog.showErrorBox('Mesh Compute could not start', describeError(err));
    app.exit(1);
  });
  const withShell = (act: (s: Shell) => void) => void shell.then(act, () => undefined);
  app.on('second-instance', () => withShell((s) => s.showWindow()));
  app.on('activate', () => withShell((s) => s.showWindow())); // macOS: the dock icon was clicked
  app.on('window-all-closed', () => {}); // no window is no reason to quit: the tray remains

  // Quitting stops the node first (its journal closed, its peers told), then lets Electron exit.
  let stopped = false;
  let stopping: Promise<void> | undefined;
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    event.preventDefault();
    stopping ??= shell
      .then(
        (s) => s.stop(),
        () => undefined,
      )
      .catch((err: unknown) => log(`stopping the node failed: ${describe(err)}`))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());
}
