// The UI's entry: pick the carrier to the node (the desktop app's bridge, or the web UI's token),
// start keeping the store in sync, and mount the app.
// oxlint-disable-next-line import/no-unassigned-import -- a stylesheet, bundled by esbuild: nothing to assign
import './styles.css';
import { createRoot } from 'react-dom/client';
import { httpTransport, takeToken } from './api/http-transport.js';
import { ipcTransport } from './api/ipc-transport.js';
import type { MeshTransport } from './api/transport.js';
import type { MeshBridge } from '../src-preload/bridge.js';
import { App, NoToken, preloadPage } from './app/App.js';
import { StoreProvider } from './app/store-context.js';
import { createMeshStore } from './store/store.js';
import { startSync } from './store/sync.js';

declare global {
  interface Window {
    /** Put there by the desktop app's preload; absent in a browser. */
    mesh?: MeshBridge;
  }
}

function pickTransport(): MeshTransport | undefined {
  if (window.mesh) return ipcTransport(window.mesh);
  const token = takeToken(location, history, sessionStorage);
  return token === undefined ? undefined : httpTransport(location.origin, token);
}

const root = createRoot(document.getElementById('root')!);
const transport = pickTransport();
if (transport) {
  preloadPage();
  const store = createMeshStore(transport);
  startSync(store, transport);
  root.render(
    <StoreProvider store={store}>
      <App />
    </StoreProvider>,
  );
} else {
  root.render(<NoToken />);
}
