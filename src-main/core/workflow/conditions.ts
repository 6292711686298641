// A step's `when` (docs/WORKFLOWS.md): a small expression tree over earlier outputs and the
// workflow's inputs, with fixed operators: no eval, no string substitution. It fails closed: a
// reference to what is not there, or an operand of the wrong type, fails the step with a message,
// never reads as false.
import * as z from '../schemas/zod.js';
import {
  ReferenceSchema,
  resolve,
  describe,
  type Reference,
  type Resolved,
  type Scalar,
  type Scope,
} from './references.js';

/** The most nodes and levels a condition may have. */
const MAX_NODES = 64;
const MAX_DEPTH = 8;

const COMPARE = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
const LOGIC = ['and', 'or'] as const;

export type Expression =
  | Scalar
  | Reference
  | { op: (typeof COMPARE)[number]; args: [Expression, Expression] }
  | { op: (typeof LOGIC)[number]; args: Expression[] }
  | { op: 'not'; args: [Expression] };

const Literal = z.union([z.string().check(z.maxLength(1024)), z.number(), z.boolean()]);

const Node: z.ZodMiniType<Expression> = z.lazy(() =>
  z.union([
    Literal,
    ReferenceSchema,
    z.strictObject({ op: z.enum(COMPARE), args: z.tuple([Node, Node]) }),
    z.strictObject({ op: z.enum(LOGIC), args: z.array(Node).check(z.minLength(1), z.maxLength(MAX_NODES)) }),
    z.strictObject({ op: z.literal('not'), args: z.tuple([Node]) }),
  ]),
);

/** A condition: a tree of at most MAX_NODES nodes, MAX_DEPTH deep. */
export const ExpressionSchema = z.pipe(
  z
    .custom()
    .check(
      z.refine((value) => size(value, 0) <= MAX_NODES, `a condition has at most ${MAX_NODES} nodes, ${MAX_DEPTH} deep`),
    ),
  Node,
);

/** Nodes in a raw tree, or more than MAX_NODES once past MAX_DEPTH. */
function size(value: unknown, depth: number): number {
  if (depth > MAX_DEPTH) return MAX_NODES + 1;
  if (typeof value !== 'object' || value === null || !('args' in value) || !Array.isArray(value.args)) return 1;
  return value.args.reduce((sum: number, arg: unknown) => sum + size(arg, depth + 1), 1);
}

/** Every reference a condition reads. */
export function referencesOf(expression: Expression): Reference[] {
  if (typeof expression !== 'object') return [];
  if ('op' in expression) return expression.args.flatMap(referencesOf);
  return [expression];
}

/** A condition's outcome, or why it has none (the step then fails). */
export function evaluate(expression: Expression, scope: Scope): Resolved<boolean> {
  const value = valueOf(expression, scope);
  if (!value.ok) return value;
  if (typeof value.value !== 'boolean')
    return { ok: false, error: `the condition is ${JSON.stringify(value.value)}, not true or false` };
  return { ok: true, value: value.value };
}

function valueOf(expression: Expression, scope: Scope): Resolved<Scalar> {
  if (typeof expression !== 'object') return { ok: true, value: expression };
  if (!('op' in expression)) {
    const resolved = resolve(expression, scope);
    if (!resolved.ok) return resolved;
    const { value } = resolved;
    if (typeof value === 'object')
      return {
        ok: false,
        error: `${describe(expression)} is a file or a list: a condition compares numbers, strings and booleans`,
      };
    return { ok: true, value };
  }
  const args: Scalar[] = [];
  for (const arg of expression.args) {
    const value = valueOf(arg, scope);
    if (!value.ok) return value;
    args.push(value.value);
  }
  const { op } = expression;
  if (op === 'and' || op === 'or' || op === 'not') {
    const wrong = args.find((arg) => typeof arg !== 'boolean');
    if (wrong !== undefined) return mismatch(op, 'true or false', wrong);
    const bools = args as boolean[];
    if (op === 'not') return { ok: true, value: !bools[0] };
    return { ok: true, value: op === 'and' ? bools.every(Boolean) : bools.some(Boolean) };
  }
  const [left, right] = args as [Scalar, Scalar];
  if (op === 'eq' || op === 'ne') {
    if (typeof left !== typeof right) return mismatch(op, `a ${typeof left}, as its first operand`, right);
    return { ok: true, value: (left === right) === (op === 'eq') };
  }
  if (typeof left !== 'number') return mismatch(op, 'a number', left);
  if (typeof right !== 'number') return mismatch(op, 'a number', right);
  const value = op === 'lt' ? left < right : op === 'le' ? left <= right : op === 'gt' ? left > right : left >= right;
  return { ok: true, value };
}

const mismatch = (op: string, expected: string, got: Scalar): Resolved<Scalar> => ({
  ok: false,
  error: `${op} expects ${expected}, got ${JSON.stringify(got)}`,
});
