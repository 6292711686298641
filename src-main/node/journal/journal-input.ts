// What the journal takes in: an event from outside checked against the schema, one of the node's
// own written as it is (typed, built from values checked where they came in), each with the JSON
// it is journaled as.
import { describeError } from '../../core/errors.js';
import { NodeEventSchema, validate, type NodeEvent } from '../../core/schemas/index.js';
import { failure, type Failure } from './errors.js';

/** A validated event and the JSON it is journaled as. */
export interface Journaled {
  event: NodeEvent;
  body: string;
}

export type Validated = ({ ok: true } & Journaled) | Failure;

/** An event from outside the node, validated with NodeEventSchema before anything is written. */
export function checkedEvent(input: unknown): Validated {
  let decoded: ReturnType<typeof validate<typeof NodeEventSchema>>;
  try {
    decoded = validate(NodeEventSchema, input);
  } catch (err) {
    // validate() catches the schema's throws; this also covers its depth walk (e.g. a Proxy).
    return failure('invalid_event', `event could not be read: ${describeError(err)}`);
  }
  if (!decoded.ok) return failure('invalid_event', decoded.error.message, { issues: decoded.error.issues });
  return { ok: true, event: decoded.value, body: JSON.stringify(decoded.value) };
}

/** One of the node's own events: only a number JSON cannot write (it would read back as null) is refused. */
export function ownEvent(event: NodeEvent): Validated {
  try {
    const body = JSON.stringify(event);
    // Such a number is written as null; only a text with a null in it is written again, slowly,
    // with a replacer that names it (a replacer on every event cost 3 % of a busy main thread).
    if (body.includes('null')) JSON.stringify(event, onlyFiniteNumbers);
    return { ok: true, event, body };
  } catch (err) {
    return failure('invalid_event', `${event.type} could not be written: ${describeError(err)}`);
  }
}

/** JSON.stringify's replacer for an event of ours: a number JSON would write as null is an error. */
function onlyFiniteNumbers(key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${key} is ${value}, not a finite number`);
  return value;
}
