// What a user is told of a module that cannot run as a unit: the reason the module's checks gave
// (Executor.checkModule), and where the unit ABI is written down.
import type { ExecError } from '../../exec/index.js';

/**
 * Why a module cannot run, as the check said, and where the ABI is written down. A reason that
 * points to the ABI's docs already (a WASI program's) is not told twice.
 */
export function whyUnrunnable(err: ExecError): string {
  if (err.message.includes('docs/UNIT_ABI.md')) return err.message;
  return `${err.message}; a unit's module must follow docs/UNIT_ABI.md (its checklist: section 13)`;
}
