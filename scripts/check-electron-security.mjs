#!/usr/bin/env node
// The Electron layer's static security check (run by `npm test`): Electronegativity over
// src-main/electron and src-preload, failing on any HIGH or MEDIUM finding that is not suppressed
// on its line with an `eng-disable CHECK_ID` comment (which must say why), or on a file it could
// not parse (a file it cannot read is a file it did not check). The window's CSP is not in the
// sources as a literal, so instead of Electronegativity's CSP guess the real policy the app://
// responses carry is read from the build and evaluated with the same CSP evaluator.
//
// Two adjustments let Electronegativity 1.10 run here, both confined to this process: its
// TypeScript parser must get the TypeScript it was made for (its own nested copy, not our
// TypeScript 7), and it must not reach the network (it fetches translations and Electron's release
// list; a check that answers differently offline is no check), so its HTTP client is stubbed.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const SCANNED = ['src-main/electron', 'src-preload'];
const FAILING = new Set(['HIGH', 'MEDIUM']);
// Checks left out, and why: the release-list check needs the network (and package.json, which is
// not scanned); the CSP check is done below on the real policy.
const EXCLUDED = ['availablesecurityfixesglobalcheck', 'electronversionjsoncheck', 'cspglobalcheck'];

const egDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const egRequire = createRequire(join(egDir, 'package.json'));
const ownTypescript = egRequire.resolve('typescript');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === 'typescript' ? ownTypescript : request, ...rest);
};
const gotPath = createRequire(join(egDir, 'dist/locales/i18n.js')).resolve('got');
const offline = new Module(gotPath);
offline.filename = gotPath;
offline.loaded = true;
offline.exports = async () => ({ statusCode: 404, body: '' }); // "no translation": its built-in English stays
require.cache[gotPath] = offline;

/** The scanned folders' TypeScript, copied to one folder so one run sees the whole app (its global checks need that). */
function stage() {
  const staged = mkdtempSync(join(tmpdir(), 'mesh-electron-scan-'));
  let files = 0;
  for (const folder of SCANNED) {
    cpSync(join(root, folder), join(staged, folder), {
      recursive: true,
      filter: (path) => statSync(path).isDirectory() || /\.tsx?$/.test(path),
    });
    files += readdirSync(join(staged, folder), { recursive: true }).filter((name) =>
      /\.tsx?$/.test(String(name)),
    ).length;
  }
  return { staged, files };
}

/** The CSP every app:// response carries, from the build (dist/, or MESH_DIST beside a `tsc --outDir`). */
async function appCspFindings() {
  const built = join(root, process.env.MESH_DIST ?? 'dist', 'src-main/electron/app-scheme.js');
  if (!existsSync(built)) {
    console.error(`electron security check: ${built} is missing: build first (npm run build)`);
    process.exit(1);
  }
  const { APP_CONTENT_SECURITY_POLICY: policy } = await import(pathToFileURL(built).href);
  const csp = egRequire('@doyensec/csp-evaluator');
  const findings = new csp.CspEvaluator(new csp.CspParser(policy).csp, csp.Version.CSP3).evaluate();
  // HIGH, SYNTAX and MEDIUM are defects; the *_MAYBE ones are notes ('self' could host JSONP…).
  const defect = (f) => f.severity <= csp.severities.MEDIUM;
  return { policy, defects: findings.filter(defect), notes: findings.filter((f) => !defect(f)) };
}

const { staged, files } = stage();
let result;
try {
  const run = egRequire('./dist/runner.js');
  result = await run(
    {
      input: staged,
      electronVersionOverride: require('electron/package.json').version,
      isRelative: true,
      excludeFromScan: EXCLUDED,
    },
    false,
  );
} finally {
  rmSync(staged, { recursive: true, force: true });
}

const problems = [];
for (const error of result.errors.filter((e) => !e.tolerable))
  problems.push(`PARSE_ERROR ${error.file.replace(`${staged}/`, '')}: ${error.message}`);
const failing = result.issues.filter((issue) => FAILING.has(issue.severity.name));
for (const issue of failing)
  problems.push(
    `${issue.id} (${issue.severity.name}, ${issue.confidence.name}) ${issue.file}:${issue.location.line}: ${issue.description}`,
  );
const csp = await appCspFindings();
for (const finding of csp.defects)
  problems.push(`APP_CSP ${finding.directive}: ${finding.description} (policy: ${csp.policy})`);
if (files === 0) problems.push(`no TypeScript found under ${SCANNED.join(', ')}: nothing was checked`);

if (problems.length > 0) {
  console.error(`electron security check failed (${problems.length}):\n${problems.join('\n')}`);
  process.exit(1);
}
const minor = result.issues.length - failing.length;
console.log(
  `electron security check: ok (${files} files, ${result.atomicChecks} atomic + ${result.globalChecks} global checks; 0 high/medium, ${minor} low/informational; app CSP: ${csp.notes.length} note(s))`,
);
