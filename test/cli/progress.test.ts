import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressOnStderr } from '../../src-main/cli/progress.js';

const streamTo = (isTTY: boolean) => {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  return { stream, written };
};

test('progress is rewritten in place on a terminal, and ended with a newline', () => {
  const { stream, written } = streamTo(true);
  const progress = progressOnStderr(stream);
  progress.update('tiles 1/2');
  progress.update('tiles 2/2');
  progress.done();
  assert.equal(written.join(''), '\rtiles 1/2\rtiles 2/2\n');
});

test('progress says nothing on a pipe or in a log file, where each \\r would pile onto one line', () => {
  const { stream, written } = streamTo(false);
  const progress = progressOnStderr(stream);
  progress.update('tiles 1/2');
  progress.done();
  assert.deepEqual(written, []);
});
