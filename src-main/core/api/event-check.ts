// Whether an event the node sends its UI is one ApiEventSchema takes, without parsing it: the
// feed checks every event it sends (a bad one is a bug in the feed), and zod's parse of each, a
// copy of the event and of its data, was a tenth of all a busy requester allocated (two or three
// events a unit). This accepts only what the schema accepts: an event in the form the node makes
// (its `at` from toISOString) with flat data within the limits. Anything else goes to the schema,
// which decides, and says why (a differential test holds the two together).
import { API_EVENT_TYPES, EVENT_KEY_CHARS, EVENT_TEXT_CHARS } from './contract.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(API_EVENT_TYPES);
const EVENT_KEYS = 4; // id, at, type, data

/** True only for an event the schema takes; false says nothing (ask the schema). */
export function plainlyValidEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Object.getPrototypeOf(event) !== Object.prototype) return false;
  const { id, at, type, data } = event as Record<string, unknown>;
  return (
    Reflect.ownKeys(event).length === EVENT_KEYS &&
    Number.isSafeInteger(id) &&
    (id as number) >= 0 &&
    typeof at === 'string' &&
    isIsoString(at) &&
    typeof type === 'string' &&
    EVENT_TYPES.has(type) &&
    flatData(data)
  );
}

/** What Date's toISOString writes (a year of four digits, milliseconds, Z), and a real moment. */
function isIsoString(at: string): boolean {
  if (at.length !== 24 || at[23] !== 'Z') return false;
  const ms = Date.parse(at);
  return Number.isFinite(ms) && new Date(ms).toISOString() === at;
}

function flatData(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || Object.getPrototypeOf(data) !== Object.prototype) return false;
  for (const key of Reflect.ownKeys(data)) {
    if (typeof key !== 'string' || key.length > EVENT_KEY_CHARS) return false;
    const value = (data as Record<string, unknown>)[key];
    const scalar =
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= EVENT_TEXT_CHARS);
    if (!scalar) return false;
  }
  return true;
}
