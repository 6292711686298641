// How the node reaches its GPU runner page, wherever the page lives (headless Chromium, or the
// desktop app's hidden window): one request, one reply, and a restart that throws away whatever
// is wedged (a hung shader, a lost device) and opens a fresh page with a fresh device.
import type { RunnerRequest } from '../../core/gpu/index.js';

export interface RunnerChannel {
  readonly kind: 'chromium' | 'electron';
  /** The page's reply, not yet validated; rejects when the page is gone. */
  send(request: RunnerRequest): Promise<unknown>;
  restart(): Promise<void>;
  close(): Promise<void>;
}
