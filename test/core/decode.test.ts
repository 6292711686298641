import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJson, WorkUnitSchema } from '../../src-main/core/schemas/index.js';

const unit = {
  unit_id: 'u1',
  job_id: 'j1',
  algorithm_id: 'hash/sha256',
  algorithm_version: '1.0.0',
  required_resources: { cpu_cores: 1, ram_gb: 0.5 },
  estimated_duration_seconds: 2,
  priority: 0.5,
};

test('a valid unit decodes, with redundancy defaulting to 1', () => {
  const r = decodeJson(WorkUnitSchema, JSON.stringify(unit));
  assert.equal(r.ok, true);
  if (r.ok) assert.equal(r.value.verification_redundancy, 1);
});

test('malformed JSON is a typed error, not a throw', () => {
  const r = decodeJson(WorkUnitSchema, '{"unit_id": ');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'malformed_json');
});

test('a value whose keys cannot even be listed is a typed error, not a throw', async () => {
  const { validate } = await import('../../src-main/core/schemas/index.js');
  const hostile = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('boom');
      },
    },
  );
  const r = validate(WorkUnitSchema, hostile);
  assert.equal(r.ok, false);
});
