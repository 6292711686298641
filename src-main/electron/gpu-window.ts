// The desktop app's GPU runner: the runner page (dist/src-gpu, served as app://gpu/) in a hidden
// window, sandboxed and context-isolated, with its own preload, which hands the page one end of a
// MessageChannelMain; the node talks to the page over the other end (node/gpu/channel.ts). A
// restart destroys the window and, when the GPU process no longer answers (a hung shader wedges it),
// kills that process too; Chromium starts a fresh one for the new window.
import { app, BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron';
import type { RunnerRequest } from '../core/gpu/index.js';
import type { RunnerChannel } from '../node/gpu/channel.js';
import { withTimeout } from '../node/gpu/timeout.js';
import { IPC_CHANNELS } from '../../src-preload/bridge.js';
import { GPU_RUNNER_URL, isGpuRunnerUrl } from './app-scheme.js';

/** A fresh page should answer within this; else its GPU process is wedged and is killed. */
const OPEN_TIMEOUT_MS = 15_000;

export class GpuWindow implements RunnerChannel {
  readonly kind = 'electron' as const;
  #window: BrowserWindow | undefined;
  #port: MessagePortMain | undefined;
  readonly #pending = new Map<number, { resolve: (reply: unknown) => void; reject: (err: Error) => void }>();

  private constructor(private readonly preload: string) {}

  static async open(preload: string): Promise<GpuWindow> {
    const runner = new GpuWindow(preload);
    await runner.#open();
    return runner;
  }

  async #open(): Promise<void> {
    const window = new BrowserWindow({
      show: false,
      webPreferences: {
        // Reviewed: it passes a MessagePort to the page and exposes nothing (src-preload/gpu-preload.ts).
        preload: this.preload, // eng-disable PRELOAD_JS_CHECK
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webviewTag: false,
        disableBlinkFeatures: 'Auxclick',
        // A unit's passes must not be throttled because the window is never shown.
        backgroundThrottling: false,
      },
    });
    const contents = window.webContents;
    contents.on('will-navigate', (event, url) => {
      if (!isGpuRunnerUrl(url)) event.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    const gone = () => this.#failAll(new Error('the GPU window is gone'));
    contents.on('render-process-gone', gone);
    window.on('closed', gone);
    this.#window = window;
    await withTimeout(window.loadURL(GPU_RUNNER_URL), OPEN_TIMEOUT_MS);
    const { port1, port2 } = new MessageChannelMain();
    port1.on('message', (event) => {
      const reply = event.data as { id?: unknown };
      const waiter = typeof reply?.id === 'number' ? this.#pending.get(reply.id) : undefined;
      if (!waiter) return;
      this.#pending.delete(reply.id as number);
      waiter.resolve(reply);
    });
    port1.start();
    contents.postMessage(IPC_CHANNELS.gpuPort, null, [port2]);
    this.#port = port1;
  }

  send(request: RunnerRequest): Promise<unknown> {
    const port = this.#port;
    if (!port) return Promise.reject(new Error('the GPU window is not open'));
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject });
      port.postMessage(request);
    });
  }

  async restart(): Promise<void> {
    this.#destroy();
    try {
      await this.#open();
    } catch {
      // The GPU process is wedged (a hung shader): kill it; Chromium starts another for the next window.
      this.#destroy();
      for (const metric of app.getAppMetrics()) if (metric.type === 'GPU') process.kill(metric.pid);
      await this.#open();
    }
  }

  async close(): Promise<void> {
    this.#destroy();
  }

  #destroy(): void {
    this.#port?.close();
    this.#port = undefined;
    const window = this.#window;
    this.#window = undefined;
    if (window && !window.isDestroyed()) window.destroy();
    this.#failAll(new Error('the GPU window was closed'));
  }

  #failAll(err: Error): void {
    for (const waiter of this.#pending.values()) waiter.reject(err);
    this.#pending.clear();
  }
}
