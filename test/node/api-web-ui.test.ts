// The web UI as the node serves it: its files without the token (they hold no secret), under a
// strict CSP, only inside the UI's folder; the API beside it still behind the token; and the
// address `meshctl ui` prints opens it signed in.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startApiServer, webUiUrl, type ApiServer } from '../../src-main/node/api/index.js';
import { MemoryEventFeed, stubHandlers } from './api-stub-handlers.js';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
const uiDir = mkdtempSync(join(tmpdir(), 'mesh-ui-'));
mkdirSync(join(uiDir, 'assets'));
writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Mesh Compute</title>');
writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(uiDir, 'secret.txt'), 'not for the browser');
let server: ApiServer;

before(async () => {
  server = await startApiServer({
    backend: { handlers: stubHandlers().handlers, events: new MemoryEventFeed() },
    token: TOKEN,
    uiDir,
    log: () => {},
  });
});
after(() => server.close());

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, host = `127.0.0.1:${server.port}`, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port: server.port, host: '127.0.0.1', path, method, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('the page and its assets are served without the token, with a CSP that allows only this node', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /Mesh Compute/);
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/, 'no inline or remote scripts');
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${server.port}`));
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  const script = await get('/assets/app.js');
  assert.equal(script.status, 200);
  assert.match(String(script.headers['content-type']), /^text\/javascript/);
});

test('only files of the UI folder: traversal, odd names and unknown types are 404', async () => {
  for (const path of [
    '/assets/../secret.txt',
    '/assets/%2e%2e%2fsecret.txt',
    '/assets/..%2fsecret.txt',
    '/secret.txt',
    '/assets/.hidden.js',
    '/assets/missing.js',
    '/assets/app.exe',
  ]) {
    const reply = await get(path);
    assert.ok(reply.status === 404 || reply.status === 401, `${path}: ${reply.status}`);
    assert.doesNotMatch(reply.body, /not for the browser/, path);
  }
});

test('a foreign Host is refused even for the page (DNS rebinding), and the API still needs the token', async () => {
  assert.equal((await get('/', 'evil.example')).status, 403);
  assert.equal((await get('/api/v1/status', undefined, 'POST')).status, 401);
  assert.equal((await get('/', undefined, 'POST')).status, 405);
});

test("the UI's address carries the token in the fragment, which browsers never send", () => {
  const url = new URL(webUiUrl(server.url, TOKEN));
  assert.equal(url.origin, server.url);
  assert.equal(url.pathname, '/');
  assert.equal(url.search, '');
  assert.equal(new URLSearchParams(url.hash.slice(1)).get('token'), TOKEN);
});
