// The hidden GPU window's preload: it runs sandboxed before the runner page and does one thing. The
// main process sends a MessagePort on IPC_CHANNELS.gpuPort; the preload hands it to the page with
// window.postMessage (a port cannot cross contextBridge), and from then on the node and the page
// talk over that port alone (src-gpu/runner.ts). Nothing is exposed on window.
import { ipcRenderer } from 'electron';
import { IPC_CHANNELS } from './bridge.js';

ipcRenderer.on(IPC_CHANNELS.gpuPort, (event) => {
  const port = event.ports[0];
  if (port) window.postMessage('mesh-gpu-port', window.location.origin, [port]);
});
