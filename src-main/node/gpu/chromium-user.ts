// Chromium keeps its sandbox only when it is not root: as root it refuses to start without
// --no-sandbox (crbug.com/638180). A node running as root (CI, containers) therefore starts the
// runner's Chromium as `nobody` through a small launcher script: `setpriv` drops the user, group
// and supplementary groups, then execs Chromium in place (same process, so Playwright's kill still
// reaches it). Chromium's sandbox then works as for any user: its renderers get seccomp-bpf and
// user/PID namespaces (Debian's chromium has no SUID helper; it needs unprivileged user namespaces).
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The unprivileged user the runner's Chromium runs as when the node is root. */
const NOBODY = 65_534;
const SETPRIV = '/usr/bin/setpriv';

export interface ChromiumLauncher {
  /** What Playwright should start: Chromium itself, or the script that starts it as nobody. */
  executablePath: string;
  dispose(): Promise<void>;
}

/** Chromium as is when the node is not root; else a launcher that runs it as nobody. */
export async function chromiumLauncher(chromium: string): Promise<ChromiumLauncher> {
  if (process.getuid?.() !== 0) return { executablePath: chromium, dispose: async () => {} };
  if (!existsSync(SETPRIV))
    throw new Error(`this node runs as root and cannot start Chromium as another user without ${SETPRIV} (util-linux)`);
  const dir = await mkdtemp(join(tmpdir(), 'mesh-gpu-runner-'));
  try {
    await chmod(dir, 0o755); // nobody must reach the script and its home below
    const home = join(dir, 'home');
    await mkdir(home);
    await chown(home, NOBODY, NOBODY);
    const script = join(dir, 'chromium-as-nobody');
    // Playwright makes the profile directory (root's, mode 700) and names it in the arguments.
    await writeFile(
      script,
      `#!/bin/sh
for arg in "$@"; do
  case "$arg" in --user-data-dir=*) chown -R ${NOBODY}:${NOBODY} "\${arg#--user-data-dir=}" ;; esac
done
export HOME=${shellQuote(home)} XDG_CONFIG_HOME=${shellQuote(home)} XDG_CACHE_HOME=${shellQuote(home)}
exec ${SETPRIV} --reuid=${NOBODY} --regid=${NOBODY} --clear-groups -- ${shellQuote(chromium)} "$@"
`,
      { mode: 0o755 },
    );
    return { executablePath: script, dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
