// Data locality across real nodes (core/scheduler/holdings.ts): a workflow's three steps over the
// same files, on a requester and two providers. With it on, each file's units go where the file
// already is, and the requester sends each file about once; off, a file crosses once per provider
// that happens to get one of its units.
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
    // The files once, and the crypto module once to each provider (137 KB): not three times the files.
    const module = 140 * 1024;
    assert.ok(run.servedBytes <= run.stepBytes * 1.25 + 2 * module, JSON.stringify(run));
    assert.ok(run.filesOnOneProvider >= FILES - 1, JSON.stringify(run));
  },
);
