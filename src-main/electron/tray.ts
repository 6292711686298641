// The tray icon, where the app lives: a status line, the "Share this PC" switch, open, quit.
// The switch shows the node's real state: the menu is rebuilt from `status` whenever the node
// says sharing or availability changed, and a click only asks the node to change it.
import { Menu, Tray } from 'electron';
import type { ApiEventType, EventFeed } from '../core/api/contract.js';
import { describe } from '../node/api/dispatch.js';
import { trayStatusLine, type TrayStatus } from './tray-status.js';

export interface TrayNode {
  events: EventFeed;
  status(): Promise<TrayStatus>;
  setSharing(on: boolean): Promise<void>;
}

export interface TrayActions {
  open: () => void;
  quit: () => void;
}

export interface AppTray {
  /** The menu shown now (the e2e test clicks its items). */
  menu(): Menu;
  dispose(): void;
}

/** The events after which the status line or the switch may read differently. */
const REFRESH_ON: ReadonlySet<ApiEventType> = new Set(['sharing.changed', 'availability.changed', 'slots.changed']);
/** Subscribe for new events only: there is nothing to replay into a menu. */
const NO_REPLAY = Number.MAX_SAFE_INTEGER;

export function createTray(
  node: TrayNode,
  actions: TrayActions,
  icon: string,
  log: (message: string) => void,
): AppTray {
  const tray = new Tray(icon);
  let menu = buildMenu('Starting…', undefined);
  show('Starting…');
  tray.on('click', actions.open); // Windows and some Linux trays; elsewhere the menu's "Open" does it

  function buildMenu(line: string, sharing: boolean | undefined): Menu {
    return Menu.buildFromTemplate([
      { label: line, enabled: false },
      { type: 'separator' },
      {
        label: 'Share this PC',
        type: 'checkbox',
        checked: sharing === true,
        enabled: sharing !== undefined,
        click: () => {
          if (sharing === undefined) return;
          node
            .setSharing(!sharing)
            .catch((err: unknown) => log(`switching sharing failed: ${describe(err)}`))
            .finally(refresh);
        },
      },
      { label: 'Open Mesh Compute', click: actions.open },
      { type: 'separator' },
      { label: 'Quit', click: actions.quit },
    ]);
  }

  function show(line: string): void {
    tray.setToolTip(`Mesh Compute: ${line}`);
    tray.setContextMenu(menu);
  }

  // One refresh at a time; changes that arrive meanwhile cause one more.
  let running = false;
  let again = false;
  let disposed = false;
  function refresh(): void {
    if (running) {
      again = true;
      return;
    }
    running = true;
    node
      .status()
      .then((status) => {
        if (disposed) return;
        const line = trayStatusLine(status);
        menu = buildMenu(line, status.sharing);
        show(line);
      })
      .catch((err: unknown) => log(`tray status failed: ${describe(err)}`))
      .finally(() => {
        running = false;
        if (again && !disposed) {
          again = false;
          refresh();
        }
      });
  }

  const unsubscribe = node.events.subscribe(NO_REPLAY, (event) => {
    if (REFRESH_ON.has(event.type)) refresh();
  });
  refresh();

  return {
    menu: () => menu,
    dispose: () => {
      disposed = true;
      unsubscribe();
      tray.destroy();
    },
  };
}
