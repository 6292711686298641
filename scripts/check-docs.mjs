#!/usr/bin/env node
// The docs' citations checked against the tree (`npm run docs`, part of `npm test`): every file
// path and every code name that README.md and docs/*.md cite in backticks must exist, so a file
// moved or a name renamed fails the build instead of leaving the docs wrong. An inline code span
// may run over a line break. Fenced code blocks are read only for the source files (.ts .tsx .mjs
// .cjs) that a block without a language (a diagram, a listing) names, checked as paths. Each stale
// citation is printed as `file:line: `token` — not found` (or `— not in `path``, below), and the
// check exits 1 if there is any. Backticks mean "this is in the code now": where a doc tells what the code was (the
// history in docs/BENCHMARKS.md), a name or file gone since is written without them.
//
// Paths. A token is a path when it has no space and has a `/` or ends in a known extension
// (.ts .tsx .js .mjs .cjs .md .json .yml .yaml .wasm .wat .wgsl .html .sql .c .rs .zig). The tree
// is `git ls-files`. A path resolves when one of these holds:
// - it is a tracked file or folder from the repository root, src-main/, src-main/core/ or
//   src-main/node/ (docs write `node/mesh/wiring/mesh-node.ts`, `core/scheduler/accept.ts`);
// - a tracked file or folder ends with `/` and it: a bare name (`job-budgets.ts`, after a
//   sentence has named its folder; any file of that name will do) or a path under a folder the
//   sentence named (`api/server.ts`);
// - without an extension, it resolves as an import would, with .ts, .tsx, .mjs or .js added;
// - it is built from a tracked source: `x.js`, `x.cjs` from x.ts or x.tsx, `x.wasm` from x.wat or
//   x/index.ts (scripts/build-wasm.mjs), with a leading dist/ dropped;
// - the sources name it in a string literal, whole or as its end (a data-dir file such as
//   `api.json`, a built one such as `app.js`, an algorithm id such as `render/tile`).
// `{a,b}` is expanded and each expansion checked. Our absolute paths, the protocols' ids and the
// API's routes (`/mesh/1/msg/4.0.0`, `/api/v1/health`), must be in a string literal. Not checked:
// a token with a placeholder (`<name>`, `…`, `*`, `#`, `?`, `$VAR`, `~`, or a one-letter part, as
// in `D/api.json` or `job/p`), a URL or scheme (`app://`, `node:http`), another absolute path
// (the system's, libp2p's), a package (`@libp2p/tcp`, `zod/mini`), and what git ignores (.fuzz/,
// e2e/artifacts/: local; dist/ folders: built).
//
// Names. A token is a code name when it is an identifier or a dotted chain of them (a trailing
// argument list or type argument dropped: `MeshNode.start(options)`, `CodedError<Code>`) whose
// head is camelCase or PascalCase (`mayFetch`, `MeshNode`) or SCREAMING_SNAKE with an underscore
// (`FETCHES_PER_PEER`; `LIMITS` only as the head of `LIMITS.x`). Lower-case words, snake_case
// (JSON keys, metrics, the unit ABI's exports) and upper-case words without an underscore (SQL,
// pragmas) are English or data as often as code, and are not checked. A name is found when the
// sources (src-main, src-renderer, src-gpu, src-preload, wasm, scripts, test, bench, sim, e2e;
// comments left out) declare it (function, class, interface, type, enum, const, let, var, a
// member or key at the start of its line or in a one-line object, an import or export) or use
// it as a member (`.name`, which also admits other libraries' names), when a tracked config file
// has it as a key (package.json's `allowScripts`), when it is one of JavaScript's globals
// (`Uint8Array`), or when it is a string literal (error codes: `OutOfFuel`). In `A.b`, b must
// also appear in a file that declares A (for a global, on A or its prototype).
// A lower-case dotted token is checked by its head: WebAssembly's (`i32.ge_u`, `memory.init`,
// `env.memory`) are the spec's and not checked; a Node module's is found on that module
// (`v8.serialize`); one with a camelCase part (`window.meshGpu.handle`) must have each part after
// the head declared or used; any other (an event, an API method, a field: `unit.refused`,
// `jobs.submit`, `render.gpu`), or a Node module's not on it, must be a string literal, appear in
// the code (`quota.release`), or be a key inside the head's object literal (`render: { gpu: … }`).
//
// Where a name is placed. A code name followed by ` in `, ` (` or `, ` and then a path
// (`LISTED_PER_JOB`, `node/mesh/requester/work-requests.ts`) must appear in that file (or in a
// file under that folder): a name cited in the wrong file fails as `— not in `path``. After `, `
// a test file is where the name is tried, not where it lives, and is not held to this.
//
// ALLOWED below lists the few citations these rules cannot tell from stale ones, each with why.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ID, readSources } from './docs-sources.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const DOCS = /^(README\.md|docs\/[^/]+\.md)$/;
const SOURCE_DIRS = [
  'src-main',
  'src-renderer',
  'src-gpu',
  'src-preload',
  'wasm',
  'scripts',
  'test',
  'bench',
  'sim',
  'e2e',
];
const SOURCE_EXT = /\.(ts|tsx|mjs|cjs|js)$/;
const PATH_EXT = /\.(ts|tsx|js|mjs|cjs|md|json|ya?ml|wasm|wat|wgsl|html|sql|c|rs|zig)$/;
const PATH_ROOTS = ['', 'src-main/', 'src-main/core/', 'src-main/node/'];
/** Absolute paths that are ours: the protocols' ids and the API's routes, written in the source as strings. */
const OUR_ABSOLUTE = /^\/(mesh|api)\//;
/**
 * Citations the rules cannot tell from stale ones, each with why it stands. Keep it short: a
 * citation that is wrong is mended in the doc, not listed here.
 */
const ALLOWED = new Map([
  ['NODE_OPTIONS', "Node's own environment variable, which the packaged app's fuses turn off"],
  ['includeObjectsCollectedByMajorGC', "an option of V8's sampling heap profiler, used in a measurement by hand"],
  ['arrayLength(&input)', "WGSL's built-in, which a user's shader calls; none of ours does"],
]);

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
const tracked = git('ls-files', '-z').split('\0').filter(Boolean);
const files = new Set(tracked);
const folders = new Set();
for (const file of tracked)
  for (let i = file.indexOf('/'); i > 0; i = file.indexOf('/', i + 1)) folders.add(file.slice(0, i));
const packages = (() => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
})();

const { sources, declaredIn, stringLiterals, fileStrings } = readSources(root, tracked, SOURCE_DIRS, SOURCE_EXT);
const strings = [...stringLiterals];
/** Whether the sources name `text` in a string literal, whole or as the end of a path in one. */
const inStrings = (path) =>
  [path, path.replace(/\/$/, '')].some(
    (text) => stringLiterals.has(text) || strings.some((s) => s.endsWith(`/${text}`)),
  );
const word = (name) => new RegExp(`(?<![\\w$#])${name.replace(/[$#]/g, '\\$&')}(?![\\w$])`);
const mentions = (file, name) => word(name).test(sources.get(file) ?? '');

// ---- Paths ----

const endsWith = (set, tail) => {
  for (const item of set) if (item === tail || item.endsWith(`/${tail}`)) return true;
  return false;
};
/** Tracked files a path may mean: from each root, then any that ends with it. */
function filesOf(path) {
  const bare = path.replace(/\/$/, '');
  for (const prefix of PATH_ROOTS) {
    const at = prefix + bare;
    if (files.has(at)) return [at];
    if (folders.has(at)) return tracked.filter((f) => f.startsWith(`${at}/`));
  }
  const found = tracked.filter((f) => f.endsWith(`/${bare}`) || f.includes(`/${bare}/`) || f.startsWith(`${bare}/`));
  return found;
}
const exists = (path) => {
  const bare = path.replace(/\/$/, '');
  return (
    PATH_ROOTS.some((p) => files.has(p + bare) || folders.has(p + bare)) ||
    endsWith(files, bare) ||
    endsWith(folders, bare)
  );
};
/** Sources a built file comes from. */
function sourcesOf(path) {
  const out = path.replace(/^dist\//, '');
  const m = out.match(/^(.*)\.(js|cjs|mjs|wasm)$/);
  if (!m) return [out];
  if (m[2] === 'wasm') return [`${m[1]}.wat`, `${m[1]}/index.ts`];
  return [`${m[1]}.ts`, `${m[1]}.tsx`, `${m[1]}.${m[2]}`];
}
const expand = (path) => {
  const m = path.match(/^(.*?)\{([^{}]*)\}(.*)$/);
  return m ? m[2].split(',').flatMap((part) => expand(m[1] + part + m[3])) : [path];
};
const ignored = (() => {
  const cache = new Map();
  return (path) => {
    if (!cache.has(path)) {
      let result = false;
      try {
        git('check-ignore', '-q', '--no-index', path);
        result = true;
      } catch {
        result = false;
      }
      cache.set(path, result);
    }
    return cache.get(path);
  };
})();

function isPath(token) {
  if (/\s/.test(token) || token.length < 3) return false;
  return token.includes('/') || PATH_EXT.test(token);
}
/** Why a path is not checked, or undefined when it is. */
function unchecked(token) {
  if (/[<>…*#?$~|]/.test(token) || token.split('/').some((part) => /^[A-Za-z]$/.test(part))) return 'placeholder';
  if (/:/.test(token)) return 'url';
  if (token.startsWith('/') && !OUR_ABSOLUTE.test(token)) return 'absolute';
  const first = token.split('/')[0];
  if (token.startsWith('@') || (packages.has(first) && !PATH_ROOTS.some((p) => folders.has(p + first))))
    return 'package';
  if (!/^[\w.\-/{},+]+$/.test(token)) return 'not a path';
  return undefined;
}
function pathResolves(path) {
  if (OUR_ABSOLUTE.test(path)) return strings.some((s) => s.includes(path));
  if (exists(path)) return true;
  if (!PATH_EXT.test(path) && ['.ts', '.tsx', '.mjs', '.js'].some((ext) => exists(path + ext))) return true;
  if (/\.(js|cjs|mjs|wasm)$/.test(path) && sourcesOf(path).some(exists)) return true;
  if (inStrings(path)) return true;
  if (!path.startsWith('dist/') && ignored(path)) return true; // local, not in the tree
  if (path.startsWith('dist/') && !/\.(js|cjs|mjs|wasm)$/.test(path)) return true; // a built folder
  return false;
}

// ---- Names ----

const CHAIN = new RegExp(`^#?${ID}(?:\\.#?${ID})*$`);
/** WebAssembly's own names (`i32.ge_u`, `memory.init`, `env.memory`): the spec's, not ours. */
const WASM_NAMESPACES = new Set([
  'i32',
  'i64',
  'f32',
  'f64',
  'v128',
  'i8x16',
  'i16x8',
  'i32x4',
  'i64x2',
  'f32x4',
  'f64x2',
  'memory',
  'data',
  'table',
  'elem',
  'local',
  'global',
  'env',
  'ref',
]);
/** The name a token cites, or undefined when it is not checked as one. */
function nameOf(token) {
  const bare = token
    .replace(/\([^()]*\)$/, '')
    .replace(/<[^<>]*>$/, '')
    .trim();
  if (!CHAIN.test(bare)) return undefined;
  const [head, ...rest] = bare.split('.');
  const plain = head.replace(/^#/, '');
  const camel = /^[a-z$_][\w$]*[A-Z]/.test(plain) && !plain.includes('_');
  const pascal = /^[A-Z][a-z0-9]/.test(plain) || /^[A-Z]+[a-z]/.test(plain);
  const screaming = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(plain) || (/^[A-Z][A-Z0-9]+$/.test(plain) && rest.length > 0);
  if (camel || pascal || screaming) return { kind: 'code', head, rest };
  if (rest.length === 0 || !/^[a-z][a-z0-9]*$/.test(plain) || WASM_NAMESPACES.has(plain)) return undefined;
  if (builtinModules.includes(plain)) return { kind: 'builtin', text: bare, head, rest };
  if (rest.some((part) => /[A-Z]/.test(part))) return { kind: 'members', head, rest };
  return { kind: 'dotted', text: bare, head, rest };
}
const isGlobal = (name) => Object.hasOwn(globalThis, name);
/** Whether some source writes `head: { … tail: … }` (a field of a record: `render.gpu`). */
function keyPath(head, tail) {
  const opening = new RegExp(`(?<![\\w$])${head}\\s*\\??:\\s*\\{`, 'g');
  const key = new RegExp(`(?<![\\w$.])${tail}\\s*\\??:`);
  for (const code of sources.values())
    for (const m of code.matchAll(opening)) {
      let depth = 0;
      let inner = '';
      for (let i = m.index + m[0].length - 1; i < code.length; i++) {
        const c = code[i];
        if (c === '{') depth++;
        else if (c === '}' && --depth === 0) break;
        else if (depth === 1) inner += c;
      }
      if (key.test(inner)) return true;
    }
  return false;
}
async function nameFound(name) {
  const { head, rest } = name;
  // A Node module's member (`v8.serialize`), or else an event or method that shares its name (`events.x`).
  if (name.kind === 'builtin' && rest[0] in (await import(`node:${head}`))) return true;
  if (name.kind === 'members') return rest.every((part) => declaredIn.has(part));
  if (name.kind === 'dotted' || name.kind === 'builtin') {
    if (stringLiterals.has(name.text)) return true;
    const pattern = word(name.text.replace(/\./g, '\\.'));
    for (const code of sources.values()) if (pattern.test(code)) return true;
    return rest.length === 1 && keyPath(head, rest[0]);
  }
  if (isGlobal(head)) {
    if (rest.length === 0) return true;
    const value = Object(globalThis[head]);
    return rest[0] in value || (value.prototype !== undefined && rest[0] in Object(value.prototype));
  }
  const where = declaredIn.get(head);
  if (!where) return rest.length === 0 && stringLiterals.has(head);
  if (rest.length === 0) return true;
  // The member: in a file that declares the head (not one that only imports it, unless no file declares it).
  const declares = new RegExp(
    `\\b(?:class|interface|type|enum|const|let|var|function|namespace)\\s+${head.replace(/\$/g, '\\$')}\\b`,
  );
  const homes = [...where].filter((file) => declares.test(sources.get(file) ?? ''));
  return (homes.length ? homes : [...where]).some((file) => mentions(file, rest[0]));
}

// ---- The docs ----

/**
 * Inline code spans of a Markdown text, outside fenced blocks: token and the line it starts on;
 * and the source files that the diagrams and listings (fenced blocks without a language) name.
 */
function codeSpans(text) {
  const lines = text.split('\n');
  const blanked = [];
  const fenced = [];
  let fence = null;
  let plain = false;
  lines.forEach((line, i) => {
    const open = line.match(/^\s*(`{3,}|~{3,})\s*(\S*)/);
    if (fence) {
      blanked.push('');
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && !open[2]) fence = null;
      else if (plain)
        for (const m of line.matchAll(/(?<![\w./-])[\w./-]+\.(?:ts|tsx|mjs|cjs)(?![\w.])/g))
          fenced.push({ token: m[0], line: i + 1 });
    } else if (open) {
      fence = open[1];
      plain = !open[2];
      blanked.push('');
    } else blanked.push(line);
  });
  const prose = blanked.join('\n');
  const spans = [];
  const runs = /`+/g;
  let m;
  while ((m = runs.exec(prose))) {
    const opener = m[0];
    const close = new RegExp(`(?<!\`)${opener}(?!\`)`, 'g');
    close.lastIndex = m.index + opener.length;
    const end = close.exec(prose);
    if (!end) continue;
    const content = prose.slice(m.index + opener.length, end.index);
    if (content.includes('\n\n')) continue; // not closed within its paragraph
    const line = prose.slice(0, m.index).split('\n').length;
    const token = content.replace(/\s*\n\s*/g, ' ').trim();
    spans.push({ token, line, start: m.index, end: end.index + opener.length });
    runs.lastIndex = end.index + opener.length;
  }
  return { spans, prose, fenced };
}

/** Why one citation is stale, or undefined when it holds (or is not checked). */
async function staleness(spans, prose, index) {
  const { token, end } = spans[index];
  if (isPath(token)) {
    if (unchecked(token)) return undefined;
    checked++;
    return expand(token).every(pathResolves) ? undefined : 'not found';
  }
  const name = nameOf(token);
  if (!name) return undefined;
  checked++;
  if (!(await nameFound(name))) return 'not found';
  // A code name placed in a file: `NAME` in `path`, `NAME` (`path`, `NAME`, `path` (not a test: that is where it is tried).
  const next = spans[index + 1];
  if (name.kind !== 'code' || !next || !isPath(next.token) || unchecked(next.token)) return undefined;
  const between = prose.slice(end, next.start);
  if (!(between === ' in ' || between === ' (' || (between === ', ' && !/(^|\/)test\/|\.test\.ts$/.test(next.token))))
    return undefined;
  const homes = expand(next.token)
    .flatMap(filesOf)
    .filter((file) => sources.has(file));
  if (homes.length === 0) return undefined; // a path that is not a source: reported on its own if stale
  const needle = name.head.replace(/^#/, '');
  const placed = homes.some(
    (file) =>
      mentions(file, needle) ||
      (name.rest.length > 0 && mentions(file, name.rest[0])) ||
      fileStrings.get(file).has(needle),
  );
  return placed ? undefined : `not in \`${next.token}\``;
}

const problems = [];
let checked = 0;
for (const doc of tracked.filter((file) => DOCS.test(file))) {
  const { spans, prose, fenced } = codeSpans(readFileSync(`${root}${doc}`, 'utf8'));
  for (let index = 0; index < spans.length; index++) {
    const { token, line } = spans[index];
    const why = await staleness(spans, prose, index);
    if (why && !ALLOWED.has(token)) problems.push(`${doc}:${line}: \`${token}\` — ${why}`);
  }
  for (const { token, line } of fenced) {
    if (unchecked(token)) continue;
    checked++;
    if (!pathResolves(token) && !ALLOWED.has(token)) problems.push(`${doc}:${line}: \`${token}\` — not found`);
  }
}

for (const problem of problems) console.log(problem);
console.log(`docs: ${checked} citations checked, ${problems.length} stale`);
if (problems.length > 0) process.exitCode = 1;
