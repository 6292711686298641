// The web UI's files, served by the node beside its API, for a person on a headless node to open in
// a browser (`meshctl ui` prints the URL). The files are the same app the desktop window shows and
// hold no secret: the token travels in the URL's fragment, which a browser never sends, and every
// API call the page makes presents it. The page may load only its own files and talk only to this
// node (the CSP), and no other site may frame it.
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtFile } from '../../core/build-layout.js';
import type { ServerResponse } from 'node:http';

/** The page itself; everything else is a file under `assets/` with a plain name. */
const UI_INDEX_PATH = '/';
const UI_ASSETS_PREFIX = '/assets/';
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/** Where the build puts the renderer: dist/src-renderer, beside dist/src-main. */
export const BUILT_UI_DIR = fileURLToPath(builtFile(import.meta.url, 'src-renderer/'));

/** The content security policy of the UI, wherever it is served from (`self` is the node's origin or app://). */
export function uiContentSecurityPolicy(connect: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    // The library's audio results play from blob: URLs (LibraryResults.tsx).
    'media-src blob:',
    "font-src 'self'",
    `connect-src 'self' ${connect.join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The address that opens the web UI signed in: the token rides in the fragment, which no browser sends. */
export function webUiUrl(apiUrl: string, token: string): string {
  return `${apiUrl}/#token=${token}`;
}

/** Whether the request path is one of the UI's, so the server knows to answer it with a file. */
export function isUiPath(path: string): boolean {
  return path === UI_INDEX_PATH || path.startsWith(UI_ASSETS_PREFIX);
}

/**
 * The file of the UI folder a request path names (`/` is index.html; else `/assets/<plain name>`
 * with a type we serve), or undefined. The path is percent-decoded first, so `%2e%2e%2f` is judged
 * as the `../` it is; plain names (no folders, no dot files) cannot leave the folder.
 */
export function uiFileOf(path: string): { relativePath: string; contentType: string } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded === UI_INDEX_PATH || decoded === '/index.html')
    return { relativePath: 'index.html', contentType: CONTENT_TYPES['.html']! };
  if (!decoded.startsWith(UI_ASSETS_PREFIX)) return undefined;
  const name = decoded.slice(UI_ASSETS_PREFIX.length);
  const contentType = CONTENT_TYPES[extname(name)];
  return contentType !== undefined && ASSET_NAME.test(name)
    ? { relativePath: `assets/${name}`, contentType }
    : undefined;
}

/** Sends the UI file the path names, or 404; `dir` is the built renderer (dist/src-renderer). */
export function sendUiFile(res: ServerResponse, dir: string, path: string, port: number): void {
  const file = uiFileOf(path);
  if (file === undefined) return notFound(res);
  let body: Buffer;
  try {
    // Read in the same turn (small files, from the page cache): while the node starts, its main
    // thread is free only between the start's steps, and an answer waiting for a second turn waited
    // for the next step's end.
    body = readFileSync(join(dir, file.relativePath));
  } catch {
    return notFound(res);
  }
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'content-security-policy': uiContentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
  });
  res.end(body);
}

function notFound(res: ServerResponse): void {
  res
    .writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
    .end('not found\n');
}
