// The node's key is its identity: written so that a crash or a power cut leaves no key file or
// the whole key on disk, never a torn one. Watched with strace (the system calls are the only
// place an fsync shows): the key's bytes are fsynced before its name appears, and the directory
// is fsynced after, so the name is on disk too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const IDENTITY = fileURLToPath(new URL('../../src-main/node/identity/identity.js', import.meta.url));
const hasStrace = spawnSync('strace', ['-V']).status === 0;

test(
  'the identity key is fsynced before its name appears, and its directory after',
  { skip: !hasStrace && 'strace is not installed' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-identity-'));
    try {
      const trace = join(dir, 'trace.txt');
      const dataDir = join(dir, 'data');
      const script = `import(${JSON.stringify(IDENTITY)}).then(async (m) => { (await import('node:fs')).mkdirSync(${JSON.stringify(dataDir)}); await m.loadOrCreateIdentity(${JSON.stringify(dataDir)}); })`;
      const run = spawnSync(
        'strace',
        [
          '-f',
          '-qq',
          '-e',
          'trace=openat,open,fsync,fdatasync,link,linkat,rename,renameat,renameat2,close',
          '-o',
          trace,
          process.execPath,
          '-e',
          script,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(run.status, 0, run.stderr);
      const lines = readFileSync(trace, 'utf8').split('\n');
      const key = join(dataDir, 'identity.key');
      // Which path each fd was opened for, as the calls go (fds are reused after close).
      const fdPath = new Map<string, string>();
      const synced: string[] = [];
      let keySynced = -1;
      let named = -1;
      let dirSyncedAfter = false;
      lines.forEach((line, i) => {
        const opened = /open(?:at)?\((?:AT_FDCWD, )?"([^"]+)".*\)\s+= (\d+)$/.exec(line);
        if (opened) fdPath.set(opened[2]!, opened[1]!);
        const sync = /f(?:data)?sync\((\d+)\)\s+= 0/.exec(line);
        if (sync) {
          const path = fdPath.get(sync[1]!) ?? '?';
          synced.push(path);
          if (keySynced < 0 && path.startsWith(key)) keySynced = i;
          if (named >= 0 && path === dataDir) dirSyncedAfter = true;
        }
        if (named < 0 && new RegExp(`(link|rename)\\w*\\(.*"${key}"\\)\\s+= 0`).exec(line)) named = i;
        if (named < 0 && line.includes(`"${key}"`) && /O_CREAT/.test(line)) named = i; // created in place
      });
      assert.ok(named >= 0, 'the key file was never named');
      assert.ok(
        keySynced >= 0 && keySynced < named,
        `the key's bytes were not fsynced before its name appeared (fsynced: ${synced.join(', ') || 'nothing'})`,
      );
      assert.ok(dirSyncedAfter, 'the directory was not fsynced after the key was named');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
