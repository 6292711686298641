// The local API's params (node/api/dispatch.ts, core/api/contract.ts): `method` on the first line,
// the params' JSON text after it, dispatched to stub handlers that answer contract-valid results.
// A call is refused with a client error or reaches its handler with params its schema accepts; it
// never ends in `internal` (which would mean the params broke something past the schema).
import { API_METHODS } from '../../../src-main/core/api/contract.js';
import { validate } from '../../../src-main/core/schemas/index.js';
import { dispatchCall } from '../../../src-main/node/api/dispatch.js';
import { stubHandlers } from '../../node/api-stub-handlers.js';
import { check } from './expect.js';

const METHODS = Object.keys(API_METHODS) as (keyof typeof API_METHODS)[];

export async function fuzz(data: Buffer): Promise<void> {
  const text = data.toString('utf8');
  const newline = text.indexOf('\n');
  const named = text.slice(0, Math.max(newline, 0));
  // A name that is no method is refused as such; a blank one picks a method by its length, so
  // the params behind it still reach a schema.
  const method = named.trim() === '' ? METHODS[named.length % METHODS.length]! : named;
  const { handlers, calls } = stubHandlers();
  const logged: string[] = [];
  const reply = await dispatchCall(handlers, method, text.slice(newline + 1), (line) => logged.push(line));
  check(reply.ok || reply.error.code !== 'internal', `internal error: ${logged.join('; ')}`);
  if (!reply.ok) {
    check(calls.length === 0, `refused with ${reply.error.code} after reaching its handler`);
    return;
  }
  check(calls.length === 1 && calls[0]!.method === method, 'answered without reaching its handler once');
  const contract = API_METHODS[calls[0]!.method];
  check(validate(contract.params, calls[0]!.params).ok, `${method} reached its handler with params its schema refuses`);
}
