// A module whose preparation (validation and metering) takes longer here than a unit may run is
// refused at submit, saying its size and the time it took: every provider would make its first
// unit wait as long. The time is its first preparation's, kept with it: a second submit of the same
// module, found prepared in the cache at once, is refused alike.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ApiError } from '../../../src-main/node/api/index.js';
import { Executor } from '../../../src-main/node/exec/index.js';
import { refuseUnrunnableModule } from '../../../src-main/node/kinds/module/module-check.js';
import { bigBodyUnit } from '../fixtures/hostile/modules.js';

const executor = Executor.start({ workers: 1 });
after(() => executor.close());

test('a module that took longer to prepare than the limit is refused with its size and time, at its first submit and after', async () => {
  const module = bigBodyUnit(200_000);
  const refusal = (err: unknown) =>
    err instanceof ApiError &&
    err.code === 'bad_request' &&
    new RegExp(
      `^the module \\(${module.byteLength} bytes\\) took \\d+\\.\\d s to prepare here, over a unit's 0\\.001 s`,
    ).test(err.message);
  await assert.rejects(refuseUnrunnableModule(executor, module, 'abi', 1), refusal);
  await assert.rejects(refuseUnrunnableModule(executor, module, 'abi', 1), refusal, 'prepared already: still refused');
  // Within the limit (a unit's 30 s by default), the same module passes.
  await refuseUnrunnableModule(executor, module, 'abi');
});
