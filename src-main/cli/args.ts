// Turning meshctl's argument text into the values the API takes, each checked with a message that
// names the argument, so a mistake is reported before anything is sent to the node.
import { CodedError, describeError } from '../core/errors.js';
import { readFile, stat } from 'node:fs/promises';

/** A mistake in what the user typed or pointed at: printed as one line, exit code 1. */
export class CliError extends CodedError<'usage'> {
  override readonly name = 'CliError';

  constructor(message: string) {
    super('usage', message, { prefixed: false });
  }
}

const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** A whole number in min..max (counts, sizes, event ids). */
export function wholeNumber(what: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(`${what}: expected a whole number in ${min}..${max}, got ${quoted(text)}`);
  }
  return n;
}

/** A number in min..max, fractions allowed (trust weights, cores, gigabytes). */
export function numberIn(what: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!DECIMAL.test(text.trim()) || !Number.isFinite(n) || n < min || n > max) {
    throw new CliError(`${what}: expected a number in ${min}..${max}, got ${quoted(text)}`);
  }
  return n;
}

/**
 * Credits as people write them (up to 3 decimals) to the millicredits the API counts in. Parsed
 * from the digits, not through a float, so 0.1 credits is exactly 100 millicredits.
 */
export function credits(what: string, text: string): number {
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(text.trim());
  const millicredits = match ? Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0')) : NaN;
  if (!Number.isSafeInteger(millicredits)) {
    throw new CliError(`${what}: expected credits, a number with at most 3 decimals, got ${quoted(text)}`);
  }
  return millicredits;
}

/** A budget: credits, as `credits` reads them, and more than none (a job with none can pay for nothing). */
export function budgetCredits(what: string, text: string): number {
  const positive = /^\s*-/.test(text) ? undefined : credits(what, text);
  if (positive === undefined || positive === 0)
    throw new CliError(`${what}: a budget must be positive, at least 0.001 credits, got ${quoted(text)}`);
  return positive;
}

/**
 * A moment, as an ISO 8601 date or date-time (without an offset it is local time), to the UTC
 * form the API takes. Only ISO shapes: Date.parse alone would also take "March 7" or "1".
 */
export function isoTime(what: string, text: string): string {
  const shape = /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
    text.trim(),
  );
  // Date.parse rolls February 31 over into March; a day the month does not have is a typo.
  const daysInMonth = shape ? new Date(Date.UTC(Number(shape[1]), Number(shape[2]), 0)).getUTCDate() : 0;
  const ms = shape && Number(shape[3]) <= daysInMonth ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(ms))
    throw new CliError(`${what}: expected an ISO date-time such as 2030-01-31T18:00:00Z, got ${quoted(text)}`);
  return new Date(ms).toISOString();
}

/** JSON text that must be an object (a kernel's params). */
export function jsonObject(what: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${what} is not JSON: ${describeError(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError(`${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** A file's bytes, refused before reading when it is larger than the API would take. */
export async function readFileUpTo(what: string, path: string, maxBytes: number): Promise<Buffer> {
  const size = (await stat(path).catch(() => undefined))?.size;
  if (size === undefined) throw new CliError(`${what}: cannot read ${path}`);
  if (size > maxBytes) throw new CliError(`${what}: ${path} is ${size} bytes; at most ${maxBytes} are accepted`);
  try {
    return await readFile(path);
  } catch (err) {
    throw new CliError(`${what}: cannot read ${path}: ${describeError(err)}`);
  }
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * What to say when the words after `meshctl` start with an option other than --help: options go
 * after their command (`meshctl status --data-dir D`), which commander would only call unknown,
 * under the whole help. Undefined when they do not.
 */
export function optionBeforeCommand(args: readonly string[]): string | undefined {
  const first = args[0];
  if (first === undefined || !first.startsWith('-') || first === '-h' || first === '--help') return undefined;
  return `${first}: options go after the command, as in meshctl <command> ${first} … (meshctl --help lists the commands)`;
}
