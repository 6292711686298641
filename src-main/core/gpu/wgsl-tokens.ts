// WGSL source as tokens, comments dropped, each with its line: enough for the loop check
// (loops.ts) to see the code as the compiler does. Comments are skipped in the same single pass as
// tokens, so "/*" inside a line comment opens nothing, and block comments nest, as WGSL says.
// WGSL has no string literals, so nothing else can hide code.

export interface Token {
  text: string;
  kind: 'ident' | 'number' | 'punct';
  /** 1-based. */
  line: number;
}

/** WGSL's line breaks: LF, VT, FF, CR (CR LF counts once), NEL, LS, PS. A line comment ends at any. */
const LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/y;
/** WGSL's other blankspace: space, tab and the two direction marks. */
const BLANK = /[ \t\u200e\u200f]+/y;
const IDENT = /[\p{XID_Start}_]\p{XID_Continue}*/uy;
/** Any numeric literal, integer or float, decimal or hex, with its suffix. */
const NUMBER =
  /(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[iufh]?/y;
/** Operators of two or three characters, longest first; any other character is a token of its own. */
const OPERATORS = [
  '<<=',
  '>>=',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<<',
  '>>',
  '->',
];

/** `code` as tokens, or why it cannot be read (an unterminated block comment). */
export function tokenize(code: string): Token[] | string {
  const tokens: Token[] = [];
  let line = 1;
  let at = 0;
  const sticky = (re: RegExp): string | null => {
    re.lastIndex = at;
    return re.exec(code)?.[0] ?? null;
  };
  while (at < code.length) {
    const blank = sticky(BLANK);
    if (blank) {
      at += blank.length;
      continue;
    }
    const lineBreak = sticky(LINE_BREAK);
    if (lineBreak) {
      at += lineBreak.length;
      line++;
      continue;
    }
    if (code.startsWith('//', at)) {
      while (at < code.length && !sticky(LINE_BREAK)) at++;
      continue;
    }
    if (code.startsWith('/*', at)) {
      const opened = line;
      let depth = 0;
      do {
        if (at >= code.length) return `line ${opened}: a block comment is never closed`;
        if (code.startsWith('/*', at)) [depth, at] = [depth + 1, at + 2];
        else if (code.startsWith('*/', at)) [depth, at] = [depth - 1, at + 2];
        else {
          const inner = sticky(LINE_BREAK);
          if (inner) line++;
          at += inner ? inner.length : 1;
        }
      } while (depth > 0);
      continue;
    }
    const word = sticky(IDENT);
    const number = word ? null : /[0-9]|\.[0-9]/y.test(code.slice(at, at + 2)) ? sticky(NUMBER) : null;
    const text =
      word ?? number ?? OPERATORS.find((op) => code.startsWith(op, at)) ?? String.fromCodePoint(code.codePointAt(at)!);
    tokens.push({ text, kind: word ? 'ident' : number ? 'number' : 'punct', line });
    at += text.length;
  }
  return tokens;
}
