// The sources as scripts/check-docs.mjs reads them: each file's code with its comments blanked out,
// its string literals, and where each name is declared or used (check-docs.mjs says the rules).
import { readFileSync } from 'node:fs';

/** A source file's code with its comments blanked out (strings kept), and its string literals. */
function scan(text) {
  let code = '';
  const strings = [];
  let i = 0;
  let last = ''; // the last significant character of code, to tell a regex literal from a division
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && d === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      code += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let value = '';
      let plain = true;
      while (j < n && text[j] !== c) {
        if (text[j] === '\\') {
          value += text[j + 1] ?? '';
          j += 2;
          continue;
        }
        if (c !== '`' && text[j] === '\n') break;
        if (c === '`' && text[j] === '$' && text[j + 1] === '{') {
          plain = false;
          let depth = 1;
          j += 2;
          while (j < n && depth > 0) {
            if (text[j] === '{') depth++;
            else if (text[j] === '}') depth--;
            j++;
          }
          value += '\0';
          continue;
        }
        value += text[j];
        j++;
      }
      if (plain) strings.push(value);
      else for (const part of value.split('\0')) if (part) strings.push(part);
      code += text.slice(i, j + 1);
      i = j + 1;
      last = c;
      continue;
    }
    if (
      c === '/' &&
      (last === '' ||
        '(,=:[!&|?{};+-*%<>~^'.includes(last) ||
        /\b(return|typeof|case)$/.test(code.slice(-12).trimEnd()))
    ) {
      // A regex literal: copied as it is, so that a quote or `//` in it is not taken for more.
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        if (text[j] === '\\') j++;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        else if (text[j] === '/' && !inClass) break;
        j++;
      }
      code += text.slice(i, j + 1);
      i = j + 1;
      last = '/';
      continue;
    }
    code += c;
    if (!/\s/.test(c)) last = c;
    i++;
  }
  return { code, strings };
}

export const ID = '[A-Za-z_$][\\w$]*';
const MODIFIERS =
  '(?:(?:export|default|public|private|protected|readonly|static|async|get|set|declare|override|abstract|accessor)\\s+)*';
const DECLARATIONS = [
  new RegExp(`\\b(?:function\\*?|class|interface|type|enum|const|let|var|namespace)\\s+(${ID})`, 'g'),
  new RegExp(`^\\s*${MODIFIERS}\\*?(#?${ID})\\s*[?!]?\\s*(?:\\(|:|=(?![=>])|<)`, 'gm'), // a member or a key, on its line
  new RegExp(`[{,]\\s*(${ID})\\s*\\??:`, 'g'), // a key in a one-line object or type
  new RegExp(`\\.(#?${ID})`, 'g'), // used as a member (also another library's: `limits.maxBufferSize`)
  new RegExp(`\\bthis\\.(#${ID})`, 'g'),
];
const IMPORTS = /\b(?:import|export)\s+(?:type\s+)?([\w$\s{},*]+?)\s+from\s/g;
const EXPORT_LISTS = /\bexport\s+(?:type\s+)?\{([^}]*)\}/g;

/**
 * Each source file's code (under `dirs`, with a source extension), where each name is declared
 * (file list), each file's string literals and all of them; and the keys of the tracked config files.
 */
export function readSources(root, tracked, dirs, sourceExt) {
  const sources = new Map();
  const declaredIn = new Map();
  const stringLiterals = new Set();
  const fileStrings = new Map();
  const declare = (name, file) => {
    let where = declaredIn.get(name);
    if (!where) declaredIn.set(name, (where = new Set()));
    where.add(file);
  };
  for (const file of tracked) {
    if (!dirs.includes(file.split('/')[0]) || !sourceExt.test(file)) continue;
    const { code, strings } = scan(readFileSync(`${root}${file}`, 'utf8'));
    sources.set(file, code.replace(/\?\.(?=[\w$#])/g, '.')); // `a?.b` read as `a.b`
    fileStrings.set(file, new Set(strings));
    for (const s of strings) stringLiterals.add(s);
    for (const pattern of DECLARATIONS) for (const m of code.matchAll(pattern)) declare(m[1], file);
    for (const pattern of [IMPORTS, EXPORT_LISTS])
      for (const m of code.matchAll(pattern))
        for (const name of m[1].split(/[\s{},*]+|\bas\b|\btype\b/)) if (name) declare(name, file);
  }
  // Keys of the tracked config files (package.json's `allowScripts`, tsconfig's `rootDir`) are names docs cite too.
  for (const file of tracked) {
    if (!/(^|\/)(package\.json|tsconfig[^/]*\.json|\.[^/]*rc\.json|knip\.json|[^/]*\.ya?ml)$/.test(file)) continue;
    for (const m of readFileSync(`${root}${file}`, 'utf8').matchAll(/["']?([A-Za-z_$][\w$]*)["']?\s*:/g))
      declare(m[1], file);
  }
  return { sources, declaredIn, stringLiterals, fileStrings };
}
