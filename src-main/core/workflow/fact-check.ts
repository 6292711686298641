// A workflow fact's check before it is journaled (node/journal/workflow-store.ts): the answer of
// WorkflowFactSchema (facts.ts), in a fraction of its time for a fact's long lists. A fan-out's
// started fact names its 10,000 items and the units the memo had, its done fact its 10,000 files;
// zod walked each of those objects (~2 µs each), ~60 ms of a run. Here the lists' elements are
// checked by hand, each no more loosely than the schema checks it, and the rest of the fact by the
// schema; a list that does not pass is given to the schema whole, for its verdict and its message.
// test/core/workflow-fact-check.test.ts holds the two to the same answers.
import { FORBIDDEN_KEYS, LIMITS, validate } from '../schemas/index.js';
import { WorkflowFactSchema } from './facts.js';

/** The most elements of a fact's list (WorkflowFactSchema's maxLength). */
const MAX_LIST = 1_000_000;
const ID = /^[A-Za-z0-9._:#@+=/-]+$/;

const isId = (v: unknown): boolean =>
  typeof v === 'string' && v.length >= 1 && v.length <= LIMITS.idChars && ID.test(v) && !FORBIDDEN_KEYS.has(v);
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isName = (v: unknown): boolean => typeof v === 'string' && v.length <= LIMITS.nameChars;

/** A plain object with exactly these own keys (a strictObject's whole shape, none optional). */
function hasExactly(v: unknown, keys: readonly string[]): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  const own = Object.keys(v);
  return own.length === keys.length && keys.every((key) => Object.hasOwn(v, key));
}

const FILE_KEYS = ['name', 'cid', 'bytes'];
const CACHED_KEYS = ['unit', 'cid', 'bytes'];

/** A FileValueSchema (references.ts). */
export const isFile = (v: unknown): boolean =>
  hasExactly(v, FILE_KEYS) && isName(v.name) && isId(v.cid) && isCount(v.bytes);
/** An item of a started fact's input: a file, or a string of 4,096 characters at most, a finite number, a boolean. */
const isItem = (v: unknown): boolean =>
  typeof v === 'string'
    ? v.length <= 4096
    : typeof v === 'number'
      ? Number.isFinite(v)
      : typeof v === 'boolean' || isFile(v);
/** A unit the memo had, in a started fact. */
const isCached = (v: unknown): boolean =>
  hasExactly(v, CACHED_KEYS) && isCount(v.unit) && isId(v.cid) && isCount(v.bytes);

/** Whether a list passes, element by element. */
function listFits(list: unknown, fits: (v: unknown) => boolean): boolean {
  if (!Array.isArray(list) || list.length > MAX_LIST) return false;
  for (const v of list) if (!fits(v)) return false;
  return true;
}

/**
 * The fact without its long lists (each emptied) when they all pass, for the schema to check the
 * rest; undefined when one does not (the schema then checks it whole).
 */
function withoutLists(fact: Record<string, unknown>): Record<string, unknown> | undefined {
  if (fact['type'] === 'step.started') {
    if (!listFits(fact['input'], isItem)) return undefined;
    if (fact['cached'] !== undefined && !listFits(fact['cached'], isCached)) return undefined;
    return { ...fact, input: [], ...(fact['cached'] !== undefined ? { cached: [] } : {}) };
  }
  if (fact['type'] === 'step.done') {
    const output = fact['output'];
    if (typeof output !== 'object' || output === null || Object.getPrototypeOf(output) !== Object.prototype)
      return undefined;
    const { files, written } = output as Record<string, unknown>;
    if (!listFits(files, isFile) || (written !== undefined && !listFits(written, isFile))) return undefined;
    return { ...fact, output: { ...output, files: [], ...(written !== undefined ? { written: [] } : {}) } };
  }
  return fact;
}

/** Whether `fact` is a WorkflowFact, as validate(WorkflowFactSchema, fact) answers, and its message when not. */
export function checkFact(fact: unknown): { ok: true } | { ok: false; message: string } {
  const plain = typeof fact === 'object' && fact !== null && Object.getPrototypeOf(fact) === Object.prototype;
  const rest = plain ? withoutLists(fact as Record<string, unknown>) : undefined;
  const checked = validate(WorkflowFactSchema, rest ?? fact);
  return checked.ok ? { ok: true } : { ok: false, message: checked.error.message };
}
