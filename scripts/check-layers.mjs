#!/usr/bin/env node
// The layer rules of docs/ARCHITECTURE.md that the compiler cannot see. The core's tsconfig
// already refuses Node/DOM globals and imports from outside the core; this check adds the clock
// and randomness (which are part of the ES library itself) and the electron boundary.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(name) ? [path] : [];
  });
}

function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const rules = [
  {
    layer: 'src-main/core',
    forbidden: [
      [/\bDate\.now\s*\(/, 'reads the clock (take `now` as an argument)'],
      [/\bnew\s+Date\s*\(\s*\)/, 'reads the clock (take `now` as an argument)'],
      [/\bMath\.random\s*\(/, 'uses randomness (take a seed or ids as arguments)'],
      [/\bfrom\s+['"]node:/, 'imports a Node module'],
      [/\bfrom\s+['"](electron|better-sqlite3|libp2p|@libp2p\/[^'"]*|piscina)['"]/, 'imports an I/O library'],
      [/\bfrom\s+['"]\.\.\/\.\.\/(node|electron|cli)\//, 'imports an outer layer'],
    ],
  },
  {
    layer: 'src-main/node',
    forbidden: [
      [/\bfrom\s+['"]electron['"]/, 'imports electron (only src-main/electron may)'],
      [/\bfrom\s+['"][./]*\/electron\//, 'imports the electron layer'],
    ],
  },
  {
    layer: 'src-main/cli',
    forbidden: [
      [/\bfrom\s+['"](electron|[./]*\/electron\/[^'"]*)['"]/, 'imports the electron layer (only its entry point may)'],
    ],
  },
  {
    // The UI reaches its node through the contract only: no node code, no Node, no Electron.
    layer: 'src-renderer',
    forbidden: [
      [/\bfrom\s+['"](node:[^'"]*|electron)['"]/, 'imports Node or Electron (the UI runs in a browser page)'],
      [/\bfrom\s+['"][./]*\/src-main\/(node|electron|cli)\//, 'imports the node (use the contract in src-main/core)'],
      [/\bfrom\s+['"][./]*\/src-preload\/(?!bridge\.js)/, 'imports the preload (only its bridge types)'],
    ],
  },
];

const problems = [];
for (const { layer, forbidden } of rules) {
  let files;
  try {
    files = sourceFiles(join(root, layer));
  } catch {
    continue;
  }
  for (const file of files) {
    const lines = withoutComments(readFileSync(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      for (const [pattern, why] of forbidden) {
        if (pattern.test(line)) problems.push(`${relative(root, file)}:${i + 1}: ${why}: ${line.trim()}`);
      }
    });
  }
}

if (problems.length > 0) {
  console.error(`layer check failed (${problems.length}):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('layer check: ok');
