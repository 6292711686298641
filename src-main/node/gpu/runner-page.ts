// The GPU runner page's files, as the build leaves them in dist/src-gpu: served over 127.0.0.1 to
// a headless Chromium (chromium-runner.ts) and as app://gpu/ in the desktop app (app-scheme.ts).
import { fileURLToPath } from 'node:url';
import { builtFile } from '../../core/build-layout.js';

export const BUILT_RUNNER_DIR = fileURLToPath(builtFile(import.meta.url, 'src-gpu/'));

const RUNNER_FILES: Readonly<Record<string, { relativePath: string; contentType: string }>> = {
  '/': { relativePath: 'runner.html', contentType: 'text/html; charset=utf-8' },
  '/runner.js': { relativePath: 'runner.js', contentType: 'text/javascript; charset=utf-8' },
};

/** The runner file a request path names (the page and its script, nothing else), or undefined. */
export function runnerFileOf(path: string): { relativePath: string; contentType: string } | undefined {
  return Object.hasOwn(RUNNER_FILES, path) ? RUNNER_FILES[path] : undefined;
}
