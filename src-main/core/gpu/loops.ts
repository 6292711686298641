// Every loop in a peer's shader must visibly end, because a GPU cannot be interrupted: a hung
// dispatch wedges the provider's GPU process until the node kills it. So `loop` and `while` are
// refused, and a `for` only of the one shape whose trip count can be read off the code:
//   for (var i[: i32|u32] = A; i < B; i++)   with <, <=, > or >=, and i++, i--, i += S, i -= S,
//                                            i = i + S or i = i - S; A, B, S integer literals,
// the counter never assigned in the body (nor its address taken), and no wrap past its type.
// Trip counts multiply through nesting and through calls (WGSL has no recursion), and add up in
// sequence; the total per invocation, and over the whole dispatch, is capped.
import { tokenize, type Token } from './wgsl-tokens.js';

export const LOOP_LIMITS = {
  /** Loop iterations one invocation may run: nested trip counts multiplied, sequential ones added. */
  loopIterations: 2 ** 20,
  /** Loop iterations a whole dispatch may run: the entry point's per invocation × invocations. */
  dispatchLoopIterations: 2 ** 36,
} as const;

const SHAPE =
  'a for loop must read for (var i = A; i < B; i++) with A and B integer literals, <, <=, > or >=, and i++, i--, i += S, i -= S, i = i + S or i = i - S (S a positive integer literal)';
const ASSIGNMENTS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '++', '--']);
const RANGES = { i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1] } as const;
/** Tokens after which `&` is binary (it follows an operand); after anything else it takes an address. */
const OPERAND_END = new Set([')', ']']);
/** Loops and calls nested in one another, at most: a fixed depth, so the refusal is the same on every machine (not a stack overflow). */
const MAX_NESTING = 128;

class Refusal {
  constructor(readonly message: string) {}
}

/**
 * Why this shader's loops may not run (null when they may): a loop that may not end, or more loop
 * iterations than LOOP_LIMITS allows for `entry` over `invocations`. Each message names its line.
 */
export function loopProblem(code: string, entry: string, invocations: number): string | null {
  const tokens = tokenize(code);
  if (typeof tokens === 'string') return tokens;
  try {
    const costs = new LoopCounter(tokens).costs();
    const perInvocation = costs.get(entry) ?? 0;
    if (perInvocation * invocations > LOOP_LIMITS.dispatchLoopIterations)
      return `"${entry}" runs up to ${perInvocation} loop iterations an invocation, ${perInvocation * invocations} over its ${invocations} invocations; a dispatch may run at most ${LOOP_LIMITS.dispatchLoopIterations} (2^36)`;
    return null;
  } catch (err) {
    if (err instanceof Refusal) return err.message;
    throw err;
  }
}

class LoopCounter {
  /** For each bracket, the index of its partner. */
  private readonly partner: number[] = [];
  private readonly bodies = new Map<string, { from: number; to: number }>();
  private readonly memo = new Map<string, number>();
  private readonly inProgress = new Set<string>();
  private nesting = 0;

  constructor(private readonly tokens: Token[]) {
    const open: number[] = [];
    for (const [i, { text, line }] of tokens.entries()) {
      if (text === 'loop' || text === 'while')
        this.refuse(line, `\`${text}\` may never end; write a for loop with literal bounds instead (${SHAPE})`);
      if (text === '(' || text === '[' || text === '{') open.push(i);
      else if (text === ')' || text === ']' || text === '}') {
        const j = open.pop();
        if (j === undefined || '([{'.indexOf(tokens[j]!.text) !== ')]}'.indexOf(text))
          this.refuse(line, `"${text}" does not close what was opened`);
        [this.partner[i], this.partner[j]] = [j, i];
      }
    }
    if (open.length > 0) this.refuse(tokens[open[0]!]!.line, `"${tokens[open[0]!]!.text}" is never closed`);
    // Functions: `fn name(params) [-> type] { body }`. `fn` is a keyword: nothing else uses it.
    for (const [i, token] of tokens.entries()) {
      const name = tokens[i + 1];
      if (token.text !== 'fn' || name?.kind !== 'ident' || tokens[i + 2]?.text !== '(') continue;
      let brace = this.partner[i + 2]!;
      while (brace < tokens.length && tokens[brace]!.text !== '{') brace++;
      if (brace < tokens.length) this.bodies.set(name.text, { from: brace + 1, to: this.partner[brace]! });
    }
  }

  /** Every function's loop iterations per call. */
  costs(): Map<string, number> {
    for (const name of this.bodies.keys()) this.cost(name, this.tokens[this.bodies.get(name)!.from - 1]!.line);
    return this.memo;
  }

  private refuse(line: number, message: string): never {
    throw new Refusal(`line ${line}: ${message}`);
  }

  private cost(name: string, line: number): number {
    const known = this.memo.get(name);
    if (known !== undefined) return known;
    if (this.inProgress.has(name)) this.refuse(line, `"${name}" calls itself (recursion), which WGSL does not allow`);
    this.inProgress.add(name);
    const body = this.bodies.get(name)!;
    const cost = this.blockCost(name, body.from, body.to, []);
    this.inProgress.delete(name);
    this.memo.set(name, cost);
    return cost;
  }

  /** Loop iterations of tokens [from, to) of function `fn`, where the enclosing loops' `counters` may not be written. */
  private blockCost(fn: string, from: number, to: number, counters: readonly { name: string; line: number }[]): number {
    let cost = 0;
    if (++this.nesting > MAX_NESTING)
      this.refuse(this.tokens[from - 1]!.line, `loops and calls nest more than ${MAX_NESTING} deep`);
    for (let i = from; i < to; i++) {
      const token = this.tokens[i]!;
      let added = 0;
      if (token.text === 'for') {
        const loop = this.parseFor(i);
        const inner = this.blockCost(fn, loop.from, loop.to, [...counters, { name: loop.counter, line: token.line }]);
        added = loop.trips * Math.max(1, inner);
        i = loop.to;
      } else if (token.kind === 'ident' && this.bodies.has(token.text) && this.tokens[i + 1]?.text === '(') {
        added = this.cost(token.text, token.line);
      } else if (token.kind === 'ident' && this.writes(i)) {
        const loop = counters.findLast((c) => c.name === token.text);
        if (loop)
          this.refuse(
            token.line,
            `the counter ${token.text} of the for loop on line ${loop.line} is written in its body, so its end cannot be seen`,
          );
      }
      cost += added;
      if (added > 0 && cost > LOOP_LIMITS.loopIterations)
        this.refuse(
          token.line,
          `this ${token.text === 'for' ? 'for loop' : `call of "${token.text}"`} brings "${fn}" to ${cost} loop iterations an invocation; the cap is ${LOOP_LIMITS.loopIterations}`,
        );
    }
    this.nesting--;
    return cost;
  }

  /** Whether the identifier at `i` is written: assigned (`i = …`, `(i) += …`, `i++`) or its address taken. */
  private writes(i: number): boolean {
    const before = this.tokens[i - 1];
    const prior = this.tokens[i - 2];
    if (before?.text === '&' && !(prior && (prior.kind !== 'punct' || OPERAND_END.has(prior.text)))) return true;
    let next = i + 1;
    while (this.tokens[next]?.text === ')') next++;
    return ASSIGNMENTS.has(this.tokens[next]?.text ?? '');
  }

  /** The `for` at `at`: its counter, trip count and body's tokens, or a refusal. */
  private parseFor(at: number): { counter: string; trips: number; from: number; to: number } {
    const line = this.tokens[at]!.line;
    let i = at + 1;
    const fail = (): never => this.refuse(line, SHAPE);
    const take = (text?: string): Token => {
      const token = this.tokens[i++];
      if (!token || (text !== undefined && token.text !== text)) fail();
      return token!;
    };
    const integer = (): { value: number; suffix: string } => {
      const negative = this.tokens[i]?.text === '-' ? (i++, true) : false;
      const m = /^(0[xX][0-9a-fA-F]+|0|[1-9][0-9]*)([iu]?)$/.exec(take().text);
      if (!m) return fail();
      const value = Number(m[1]!);
      return { value: negative ? -value : value, suffix: m[2]! };
    };
    take('(');
    take('var');
    const counter = take().text;
    let type = this.tokens[i]?.text === ':' ? (i++, take().text) : '';
    take('=');
    const start = integer();
    type ||= start.suffix === 'u' ? 'u32' : 'i32';
    if (type !== 'i32' && type !== 'u32') this.refuse(line, `the loop's counter must be an i32 or a u32, not ${type}`);
    take(';');
    take(counter);
    const op = take().text;
    if (!['<', '<=', '>', '>='].includes(op)) fail();
    const end = integer().value;
    take(';');
    take(counter);
    const update = take().text;
    let step = update === '++' ? 1 : update === '--' ? -1 : Number.NaN;
    if (update === '+=' || update === '-=') step = (update === '+=' ? 1 : -1) * integer().value;
    if (update === '=') {
      take(counter);
      const sign = take().text;
      if (sign !== '+' && sign !== '-') fail();
      step = (sign === '+' ? 1 : -1) * integer().value;
    }
    take(')');
    const open = i;
    take('{');
    if (!(Math.abs(step) >= 1)) fail();
    const trips = tripCount(start.value, op, end, step);
    const [min, max] = RANGES[type];
    if (typeof trips === 'string') this.refuse(line, trips);
    if (
      [start.value, end].some((v) => v < min || v > max) ||
      start.value + trips * step < min ||
      start.value + trips * step > max
    )
      this.refuse(line, `the loop's counter would run past the range of ${type} and wrap, so the loop might never end`);
    return { counter, trips, from: open + 1, to: this.partner[open]! };
  }
}

/** How often `for (i = start; i op end; i += step)` runs its body, or why it might not end. */
function tripCount(start: number, op: string, end: number, step: number): number | string {
  const up = op === '<' || op === '<=';
  if (up !== step > 0)
    return `the loop counts ${step > 0 ? 'up' : 'down'} but its condition (${op}) waits for the other way`;
  const span = up ? end - start : start - end;
  const distance = Math.abs(step);
  if (op === '<' || op === '>') return span <= 0 ? 0 : Math.ceil(span / distance);
  return span < 0 ? 0 : Math.floor(span / distance) + 1;
}
