// Data locality across real nodes (core/scheduler/holdings.ts): a workflow's three steps over the
// same files, on a requester and two providers. With it on, each file's units go where the file
// already is, and the requester sends each file about once; off, a file crosses once per provider
// that happens to get one of its units (here: every file twice).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localityRun } from './locality-workflow.js';

const FILES = 8;
const BYTES = 64 * 1024;

test(
  'three steps over the same files: each file runs on one provider and crosses about once',
  { timeout: 240_000 },
  async () => {
    const run = await localityRun(true, FILES, BYTES);
    // The files about once (the library's modules are every node's own), not once per provider:
    // without locality this run sends them twice, and no file's units stay on one provider. A unit
    // waits at most 2 s for its holder, so on a busy machine some go elsewhere (CI: 6 of 8 stayed
    // once, 3 of 8 and 1.62 times the files' bytes another time): the bounds sit between that and
    // what a run without locality gives.
    assert.ok(run.servedBytes <= run.stepBytes * 1.75, JSON.stringify(run));
    assert.ok(run.filesOnOneProvider >= FILES / 4, JSON.stringify(run));
  },
);
