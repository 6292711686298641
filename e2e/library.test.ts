// The Jobs page's Process files form, in a real browser against real nodes: A's UI in Chromium, B
// computing for A. A PNG chosen and resized by the image library (its params typed in the form
// generated from the method's schema, a bad width refused first, naming the param): its card
// shows the result as a thumbnail of the asked size, a blob: URL with a download named as meshctl
// names it. Then a file dropped and hashed by crypto sha256: its card shows the digest in hex, the
// same as node:crypto's. And a CSV summed by data aggregate (its list params typed as JSON): a
// table. And a WAV normalized by audio normalize: a player Chromium reads, of the WAV's length;
// then a CSV joined by data join with a right table chosen in its own picker: a table with the
// right's columns. Any console error, uncaught exception or serious accessibility fault in
// the page fails the test.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { encodeFramePng } from '../src-main/node/render/png.js';
import type { ChildNode } from '../test/node/mesh/child-nodes.js';
import { waitFor } from '../test/node/mesh/cluster.js';
import { seriousViolations, unreachableByKeyboard } from './a11y.js';
import { openJobsPage, startTrustedPair, stopNodesAndBrowser } from './node-pair.js';
import { chooseJobKind, shoot } from './page-tools.js';

/** A 40 × 30 gradient, as a PNG. */
function photo(): Buffer {
  const [width, height] = [40, 30];
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([(i % width) * 6, Math.floor(i / width) * 8, 128, 255], i * 4);
  return Buffer.from(encodeFramePng(width, height, rgba));
}
/** Half a second of a 440 Hz tone, mono 16-bit at 8 kHz, as a WAV. */
function tone(): Buffer {
  const samples = 4000;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16); // the fmt chunk's size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // one channel
  wav.writeUInt32LE(8000, 24); // Hz
  wav.writeUInt32LE(16_000, 28); // bytes a second
  wav.writeUInt16LE(2, 32); // bytes a frame
  wav.writeUInt16LE(16, 34); // bits a sample
  wav.writeUInt32LE(samples * 2, 40);
  wav.write('data', 36, 'latin1');
  for (let i = 0; i < samples; i++)
    wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + i * 2);
  return wav;
}
const TEXT = 'the quick brown fox jumps over the lazy dog\n';
const SALES = 'region,total\nwest,1\neast,2.5\nwest,3\neast,5\n';
const REGIONS = 'region,manager\neast,ann\nnorth,bo\n';

let a: ChildNode;
let b: ChildNode;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  ({ a, b, browser } = await startTrustedPair());
});

after(() => stopNodesAndBrowser([a, b], browser));

/** Submits the form and waits for the new job to complete on A: its id. */
async function runJob(page: Page, name: string): Promise<string> {
  const known = new Set((await a.api.call('jobs.list', {})).jobs.map((j) => j.job_id));
  await page.getByTestId('library-form').getByTestId('library-submit').click();
  const job = await waitFor(
    `the ${name} job on A`,
    async () => (await a.api.call('jobs.list', {})).jobs.find((j) => !known.has(j.job_id)),
    // The submit runs the first unit on A (compiling the library's module first): slow on a busy machine.
    60_000,
  );
  assert.equal(job.name, name);
  await waitFor(
    `the ${name} job to complete`,
    async () => {
      const { job: now } = await a.api.call('jobs.status', { job_id: job.job_id });
      assert.notEqual(now.state, 'failed', `${name} failed`);
      return now.state === 'completed' ? true : undefined;
    },
    120_000,
  );
  return job.job_id;
}

test(
  'a PNG resized, a file hashed, a CSV summed and a WAV normalized from the Process files form: a thumbnail, the hex, a table and a player on their cards',
  { timeout: 240_000 },
  async () => {
    const page = await openJobsPage(browser!, a, pageErrors);
    await chooseJobKind(page, 'Process files');
    const form = page.getByTestId('library-form');

    // image / resize: the form holds the method's params, generated from its schema.
    await form.getByTestId('library-library').selectOption('image');
    await form.getByTestId('library-method').selectOption('resize');
    assert.deepEqual(await form.getByTestId('library-param-filter').locator('option').allTextContents(), [
      'Choose…',
      'nearest',
      'triangle',
      'catmull-rom',
      'gaussian',
      'lanczos3',
    ]);
    await form
      .getByTestId('library-files')
      .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: photo() });
    await form.getByText('1 file: photo.png').waitFor();
    // A width of 0 is refused before anything is sent, naming the param.
    const jobsBefore = (await a.api.call('jobs.list', {})).total;
    await form.getByTestId('library-param-width').fill('0');
    await form.getByTestId('library-param-height').fill('8');
    await form.getByTestId('library-param-filter').selectOption('lanczos3');
    await form.getByTestId('library-submit').click();
    await form.getByText(/^width: /).waitFor();
    assert.equal((await a.api.call('jobs.list', {})).total, jobsBefore);

    await form.getByTestId('library-param-width').fill('16');
    const resized = await runJob(page, 'image resize × 1 file');
    const card = page.getByTestId(`library-results-${resized}`);
    const thumb = card.getByTestId('library-image-0');
    await thumb.waitFor({ timeout: 15_000 });
    await waitFor(
      'the thumbnail to load',
      async () =>
        (await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)) ? true : undefined,
      10_000,
    );
    const size = await thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(size, [16, 8], 'the thumbnail is the resized image');
    assert.match((await thumb.getAttribute('src')) ?? '', /^blob:/);
    assert.equal(await card.getByTestId('library-download-0').getAttribute('download'), 'photo.png');
    await shoot(page, 'library-01-thumbnail');

    // crypto / sha256: no params; the file dropped on the form as a person drags it from a file manager.
    await form.getByTestId('library-library').selectOption('crypto');
    await form.getByTestId('library-method').selectOption('sha256');
    assert.equal(await form.getByTestId('library-params').count(), 0, 'sha256 takes no params');
    const dropped = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'fox.txt', { type: 'text/plain' }));
      return data;
    }, TEXT);
    await form.getByTestId('library-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await form.getByText('1 file: fox.txt').waitFor();
    const hashed = await runJob(page, 'crypto sha256 × 1 file');
    const hex = page.getByTestId(`library-results-${hashed}`).getByTestId('library-text-0');
    await hex.waitFor({ timeout: 15_000 });
    assert.equal(await hex.textContent(), createHash('sha256').update(TEXT).digest('hex'));
    assert.equal(
      await page.getByTestId(`library-results-${hashed}`).getByTestId('library-download-0').getAttribute('download'),
      'fox.txt.sha256',
    );
    await shoot(page, 'library-02-hash');

    // data / aggregate: a list param typed as JSON; the CSV result as a table.
    await form.getByTestId('library-library').selectOption('data');
    await form.getByTestId('library-method').selectOption('aggregate');
    await form.getByTestId('library-param-group_by').fill('["region"]');
    await form.getByTestId('library-param-aggregates').fill('[{"fn": "sum", "column": "total"}]');
    await form
      .getByTestId('library-files')
      .setInputFiles({ name: 'sales.csv', mimeType: 'text/csv', buffer: Buffer.from(SALES) });
    const summed = await runJob(page, 'data aggregate × 1 file');
    const table = page.getByTestId(`library-results-${summed}`).getByTestId('library-table-0');
    await table.waitFor({ timeout: 15_000 });
    const rows = await table
      .locator('tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    assert.deepEqual(rows, [
      ['region', 'sum_total'],
      ['east', '7.5'],
      ['west', '4'],
    ]);

    // audio / normalize: the result in a player, which Chromium reads as half a second of audio.
    await form.getByTestId('library-library').selectOption('audio');
    await form.getByTestId('library-method').selectOption('normalize');
    await form.getByTestId('library-param-peak_db').fill('-1');
    await form.getByTestId('library-files').setInputFiles({ name: 'tone.wav', mimeType: 'audio/wav', buffer: tone() });
    const normalized = await runJob(page, 'audio normalize × 1 file');
    const player = page.getByTestId(`library-results-${normalized}`).getByTestId('library-audio-0');
    await player.waitFor({ timeout: 15_000 });
    const duration = await waitFor(
      'the player to read the audio',
      async () =>
        (await player.evaluate((audio: HTMLAudioElement) => (audio.readyState >= 1 ? audio.duration : 0))) || undefined,
      10_000,
    );
    assert.equal(duration, 0.5);
    assert.equal(
      await page
        .getByTestId(`library-results-${normalized}`)
        .getByTestId('library-download-0')
        .getAttribute('download'),
      'tone.wav',
    );
    // data / join: the right table is a file picked in its own zone, not a param typed.
    await form.getByTestId('library-library').selectOption('data');
    await form.getByTestId('library-method').selectOption('join');
    assert.equal(await form.getByTestId('library-param-right').count(), 0, 'right is the file picked');
    await form.getByTestId('library-param-on').fill('"region"');
    await form.getByTestId('library-param-how').selectOption('left');
    await form
      .getByTestId('library-files')
      .setInputFiles({ name: 'sales.csv', mimeType: 'text/csv', buffer: Buffer.from(SALES) });
    await form
      .getByTestId('library-file-right')
      .setInputFiles({ name: 'regions.csv', mimeType: 'text/csv', buffer: Buffer.from(REGIONS) });
    await form.getByText('1 file: regions.csv').waitFor();
    const joined = await runJob(page, 'data join × 1 file');
    const joinedTable = page.getByTestId(`library-results-${joined}`).getByTestId('library-table-0');
    await joinedTable.waitFor({ timeout: 15_000 });
    assert.deepEqual(
      await joinedTable
        .locator('tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent))),
      [
        ['region', 'total', 'manager'],
        ['west', '1', ''],
        ['east', '2.5', 'ann'],
        ['west', '3', ''],
        ['east', '5', 'ann'],
      ],
    );
    await shoot(page, 'library-03-join');

    assert.deepEqual(await seriousViolations(page), [], 'axe on the Jobs page with library jobs');
    assert.deepEqual(await unreachableByKeyboard(page), [], 'controls of the Jobs page that Tab never reaches');
    assert.deepEqual(pageErrors, [], 'the page logged no error');
  },
);
