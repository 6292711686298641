// The desktop window's pages come from app://mesh/, a scheme of our own served from the built UI
// (dist/src-renderer), not from file:// (which would give the page the run of the disk) and not
// from the node's HTTP server (which would need the token in the page). This file answers one
// app:// request with plain fetch types and no Electron, so plain Node tests can run it; main.ts
// hands it to `protocol.handle`.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { uiContentSecurityPolicy, uiFileOf } from '../node/api/static-ui.js';
import { runnerFileOf } from '../node/gpu/runner-page.js';

export const APP_SCHEME = 'app';
const APP_HOST = 'mesh';
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The one page the window shows (a single-page app: it never navigates). */
export const APP_START_URL = `${APP_ORIGIN}/`;

/** The hidden GPU window's page (dist/src-gpu): its own host, so the app page's rules never cover it. */
const GPU_HOST = 'gpu';
export const GPU_RUNNER_URL = `${APP_SCHEME}://${GPU_HOST}/`;
const GPU_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Whether the URL is the GPU runner page itself (where the hidden window may navigate). */
export function isGpuRunnerUrl(url: string): boolean {
  const parsed = urlOn(url, GPU_HOST);
  return parsed !== undefined && parsed.pathname === '/' && parsed.search === '';
}

/** The window talks to the node over IPC, so the page may connect nowhere but its own origin. */
export const APP_CONTENT_SECURITY_POLICY = uiContentSecurityPolicy([]);

/** The URL, if it is one of ours (`app://mesh/…`, no credentials or port); undefined for anything else. */
function ourUrl(url: string): URL | undefined {
  return urlOn(url, APP_HOST);
}

/** The URL, if it is `app://<host>/…` with no credentials or port. */
function urlOn(url: string, host: string): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // Node's URL gives non-special schemes an opaque origin ('null'), so the parts are compared instead.
  const ours =
    parsed.protocol === `${APP_SCHEME}:` && parsed.host === host && parsed.username === '' && parsed.password === '';
  return ours ? parsed : undefined;
}

/** Whether the URL is on our origin (the IPC sender check). */
export function isAppOrigin(url: string): boolean {
  return ourUrl(url) !== undefined;
}

/** Whether the URL is the app's page itself (where the window may navigate: a reload, nothing else). */
export function isAppPage(url: string): boolean {
  const parsed = ourUrl(url);
  return parsed !== undefined && (parsed.pathname === '/' || parsed.pathname === '/index.html') && parsed.search === '';
}

/** Links the window may hand to the person's browser: https only (no file:, javascript: or app schemes). */
export function isHttpsUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The file under the UI folder that an app:// URL names (the same rule as the web UI's), or undefined. */
function appFileOf(url: string): { relativePath: string; contentType: string } | undefined {
  const parsed = ourUrl(url);
  return parsed === undefined ? undefined : uiFileOf(parsed.pathname);
}

const COMMON_HEADERS = {
  'content-security-policy': APP_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** The answer to one app:// request: the file with the CSP, or 404/405 (also with the CSP). */
export async function appResponse(url: string, method: string, uiDir: string, gpuDir?: string): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return refusal(405, 'use GET');
  const gpuPage = gpuDir === undefined ? undefined : urlOn(url, GPU_HOST);
  if (gpuPage) {
    const file = runnerFileOf(gpuPage.pathname);
    return file
      ? fileResponse(join(gpuDir!, file.relativePath), file.contentType, method, GPU_CONTENT_SECURITY_POLICY)
      : refusal(404, 'not found');
  }
  const file = appFileOf(url);
  if (file === undefined) return refusal(404, 'not found');
  const fullPath = join(uiDir, file.relativePath);
  const inside = relative(uiDir, fullPath);
  if (inside.startsWith('..') || isAbsolute(inside)) return refusal(404, 'not found'); // a second guard; the name check already refuses
  return fileResponse(fullPath, file.contentType, method, APP_CONTENT_SECURITY_POLICY);
}

async function fileResponse(fullPath: string, contentType: string, method: string, csp: string): Promise<Response> {
  let body: Buffer;
  try {
    body = await readFile(fullPath);
  } catch {
    return refusal(404, 'not found');
  }
  return new Response(method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      ...COMMON_HEADERS,
      'content-security-policy': csp,
      'content-type': contentType,
      'content-length': String(body.length),
    },
  });
}

function refusal(status: number, text: string): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { ...COMMON_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
  });
}
