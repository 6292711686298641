// The Jobs page's Process files form (src-renderer/jobs/library-form.ts, library-results.ts): each
// method's param schema becomes fields of the right kinds, the values typed are checked with the
// node's own schema (a refusal names the param), the request frames the files as the node reads
// them and the node resolves it, and each kind of result is shown as what it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SubmitJobSchema } from '../../src-main/core/api/shapes.js';
import { PROGRAM_LIBRARIES } from '../../src-main/core/library/methods.js';
import { filesOfTar } from '../../src-main/core/library/tar.js';
import { resolveLibrary } from '../../src-main/node/kinds/library/library.js';
import { decodeWasiItem } from '../../src-main/node/exec/wasi/items.js';
import { decodeInputFiles } from '../../src-main/node/exec/wasi/unit-bytes.js';
import {
  fileFields,
  LIBRARY_METHODS,
  libraryRequest,
  methodParams,
  paramFields,
} from '../../src-renderer/kinds/library/library-form.js';
import { csvRows, libraryResult, TABLE_ROWS } from '../../src-renderer/kinds/library/library-results.js';

const terms = { redundancy: '2', budget: '3.5', strangers: false };
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

test('every library and method is listed, as the node knows them', () => {
  assert.deepEqual(
    LIBRARY_METHODS,
    Object.entries(PROGRAM_LIBRARIES).map(([library, lib]) => ({ library, methods: Object.keys(lib.methods) })),
  );
  assert.deepEqual(
    LIBRARY_METHODS.map((l) => l.library),
    ['crypto', 'image', 'data', 'audio', 'video'],
  );
  assert.deepEqual(LIBRARY_METHODS[3]!.methods, ['decode', 'encode', 'resample', 'normalize', 'fft']);
});

test('the audio methods’ fields: resample’s rate and quality, normalize’s peak, FLAC’s level, Opus’s bitrate, fft’s window', () => {
  const out = [
    { name: 'format', required: false, kind: 'enum', options: ['wav', 'flac', 'opus'] },
    { name: 'compression_level', required: false, kind: 'integer', min: 0, max: 8 },
    { name: 'bitrate', required: false, kind: 'integer', min: 6000, max: 512_000 },
    { name: 'sample_format', required: false, kind: 'enum', options: ['s16', 's24', 's32', 'f32'] },
  ];
  assert.deepEqual(paramFields('audio', 'resample'), [
    { name: 'rate', required: true, kind: 'integer', min: 1000, max: 768_000 },
    { name: 'quality', required: false, kind: 'enum', options: ['best', 'medium', 'fastest'] },
    ...out,
  ]);
  assert.deepEqual(paramFields('audio', 'normalize'), [
    { name: 'peak_db', required: true, kind: 'number', min: -60, max: 0 },
    ...out,
  ]);
  assert.deepEqual(paramFields('audio', 'fft'), [
    { name: 'window', required: true, kind: 'integer', min: 64, max: 65_536 },
    { name: 'format', required: false, kind: 'enum', options: ['json', 'csv'] },
  ]);
});

test('a param schema becomes fields: integers and numbers with bounds, enums as selects, strings, booleans, JSON', () => {
  assert.deepEqual(paramFields('image', 'resize'), [
    { name: 'width', required: true, kind: 'integer', min: 1, max: 16_384 },
    { name: 'height', required: true, kind: 'integer', min: 1, max: 16_384 },
    {
      name: 'filter',
      required: true,
      kind: 'enum',
      options: ['nearest', 'triangle', 'catmull-rom', 'gaussian', 'lanczos3'],
    },
    { name: 'format', required: false, kind: 'enum', options: ['png', 'jpeg', 'webp'] },
    { name: 'quality', required: false, kind: 'integer', min: 0, max: 100 },
    { name: 'lossless', required: false, kind: 'boolean' },
    { name: 'effort', required: false, kind: 'integer', min: 0, max: 6 },
  ]);
  assert.deepEqual(paramFields('image', 'blur')[0], {
    name: 'sigma',
    required: true,
    kind: 'number',
    min: 0,
    max: 100,
  });
  assert.deepEqual(paramFields('data', 'filter').slice(0, 4), [
    { name: 'column', required: true, kind: 'string', pattern: undefined },
    { name: 'op', required: true, kind: 'enum', options: ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'contains'] },
    { name: 'value', required: true, kind: 'string', pattern: undefined },
    { name: 'numeric', required: false, kind: 'boolean' },
  ]);
  assert.deepEqual(paramFields('crypto', 'ed25519_sign'), [
    { name: 'seed', required: true, kind: 'string', pattern: '^[0-9a-f]{64}$' },
  ]);
  assert.deepEqual(paramFields('data', 'aggregate').slice(0, 2), [
    { name: 'group_by', required: false, kind: 'json', example: '["…"]' },
    { name: 'aggregates', required: true, kind: 'json', example: '[{"fn": "sum"}]' },
  ]);
  assert.deepEqual(paramFields('crypto', 'sha256'), []);
  assert.deepEqual(paramFields('image', 'nothing'), []);
  // Every method of every library maps: no field of an unknown kind is left out.
  for (const { library, methods } of LIBRARY_METHODS)
    for (const method of methods) {
      const spec = PROGRAM_LIBRARIES[library]!.methods[method]!;
      const shape = (spec.params as unknown as { shape: object }).shape;
      assert.deepEqual(
        [...paramFields(library, method), ...fileFields(library, method)].map((f) => f.name).sort(),
        Object.keys(shape).sort(),
        `${library} ${method}`,
      );
    }
});

test('the values typed are checked with the method’s schema: a refusal names the param', () => {
  const resize = (values: Record<string, string | boolean>) =>
    methodParams('image', 'resize', { width: '64', height: '32', filter: 'lanczos3', ...values });
  assert.deepEqual(resize({}), { ok: true, value: { width: 64, height: 32, filter: 'lanczos3' } });
  assert.deepEqual(resize({ format: 'jpeg', quality: '80' }), {
    ok: true,
    value: { width: 64, height: 32, filter: 'lanczos3', format: 'jpeg', quality: 80 },
  });
  const refusal = (made: ReturnType<typeof resize>) => (made.ok ? 'accepted' : made.error);
  assert.match(refusal(resize({ width: '0' })), /^width: /);
  assert.match(refusal(resize({ width: '2.5' })), /^width: /);
  assert.equal(refusal(resize({ height: 'tall' })), 'height: expected a number');
  assert.equal(refusal(resize({ filter: '' })), 'filter: required');
  assert.match(refusal(resize({ quality: '101' })), /^quality: /);
  assert.match(refusal(resize({ width: '4096', height: '4096' })), /^params: width × height is 16777216 pixels/);
  assert.match(refusal(methodParams('image', 'blur', { sigma: '0' })), /^sigma: /);
  assert.match(refusal(methodParams('crypto', 'ed25519_sign', { seed: 'ab' })), /^seed: expected 64 lowercase hex/);
  const filter = { column: 'a', op: 'gt', value: 'x', numeric: true };
  assert.equal(refusal(methodParams('data', 'filter', filter)), 'value: a numeric filter compares with a number');
  assert.deepEqual(methodParams('data', 'filter', { ...filter, value: '3', numeric: false }), {
    ok: true,
    value: { column: 'a', op: 'gt', value: '3' },
  });
  assert.equal(
    refusal(methodParams('data', 'aggregate', { aggregates: '[{fn: sum}]' })),
    'aggregates: expected JSON, like [{"fn": "sum"}]',
  );
  assert.match(
    refusal(methodParams('data', 'aggregate', { aggregates: '[{"fn": "sum"}]' })),
    /^aggregates\.0\.column: /,
  );
  assert.deepEqual(methodParams('data', 'aggregate', { aggregates: '[{"fn": "count"}]', group_by: '["k"]' }), {
    ok: true,
    value: { aggregates: [{ fn: 'count' }], group_by: ['k'] },
  });
});

test('the request: the files framed in name order as the node reads them, and the node resolves it', () => {
  const files = [
    { name: 'b.png', bytes: new Uint8Array(png) },
    { name: 'a.png', bytes: new Uint8Array([...png, 1, 2, 3]) },
  ];
  const made = libraryRequest('image', 'resize', { width: '8', height: '4', filter: 'nearest' }, files, terms);
  assert.ok(made.ok, made.ok ? '' : made.error);
  const { request, job } = made.value;
  const parsed = SubmitJobSchema.safeParse(request);
  assert.ok(parsed.success, parsed.error?.message);
  const { input_base64, ...rest } = request;
  assert.deepEqual(rest, {
    name: 'image resize × 2 files',
    library: 'image',
    method: 'resize',
    params: { width: 8, height: 4, filter: 'nearest' },
    items: 'framed',
    chunk_bytes: 8 + 'a.png'.length + png.byteLength + 3,
    redundancy: 2,
    budget: 3500,
    open_to_strangers: false,
  });
  assert.deepEqual(job, { library: 'image', method: 'resize', params: rest.params, files: ['a.png', 'b.png'] });
  const input = Buffer.from(input_base64, 'base64');
  const units = [0, 1].map((i) => decodeWasiItem(input.subarray(i * rest.chunk_bytes, (i + 1) * rest.chunk_bytes)));
  assert.deepEqual(
    units.map((u) => (typeof u === 'string' ? u : [u.name, Buffer.from(u.stdin)])),
    [
      ['a.png', Buffer.from(files[1]!.bytes)],
      ['b.png', png],
    ],
  );
  const resolved = resolveLibrary('image', 'resize', rest.params, rest.chunk_bytes, 'framed');
  assert.equal(typeof resolved === 'string' ? resolved : resolved.label, 'image/resize');

  const refusal = (...args: Parameters<typeof libraryRequest>) => {
    const r = libraryRequest(...args);
    return r.ok ? 'accepted' : r.error;
  };
  assert.equal(refusal('crypto', 'sha256', {}, [], terms), 'Drop the files (or choose them): a unit per file.');
  assert.equal(refusal('crypto', 'md5', {}, files, terms), 'Choose a library and a method.');
  assert.match(refusal('image', 'crop', { x: '0', y: '0', width: '1' }, files, terms), /^height: required/);
  assert.match(refusal('crypto', 'sha256', {}, files, { ...terms, redundancy: '0' }), /^redundancy: /);
  assert.match(refusal('crypto', 'sha256', {}, files, { ...terms, budget: 'lots' }), /^budget: /);
  const big = { name: 'huge.csv', bytes: new Uint8Array(4 * 2 ** 20 + 1) };
  assert.equal(
    refusal('data', 'sort', { by: '[{"column": "a"}]' }, [big], terms),
    `huge.csv: ${4 * 2 ** 20 + 1} bytes, over the ${4 * 2 ** 20} data sort takes`,
  );
});

test('video encode: the frames dropped go into one tar, in name order, a unit; its WebM result plays', () => {
  const frames = ['f2.png', 'f1.png', 'f3.png'].map((name, i) => ({ name, bytes: new Uint8Array([i]) }));
  const made = libraryRequest('video', 'encode', { fps: '12' }, frames, terms);
  assert.ok(made.ok, made.ok ? '' : made.error);
  assert.deepEqual(made.value.job, { library: 'video', method: 'encode', params: { fps: 12 }, files: ['frames.tar'] });
  const unit = decodeWasiItem(Buffer.from(made.value.request.input_base64, 'base64'));
  if (typeof unit === 'string') assert.fail(unit);
  const inside = filesOfTar(unit.stdin);
  if (typeof inside === 'string') assert.fail(inside);
  assert.deepEqual(
    inside.map((f) => [f.name, [...f.bytes]]),
    [
      ['f1.png', [1]],
      ['f2.png', [0]],
      ['f3.png', [2]],
    ],
  );
  const webm = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1]);
  assert.deepEqual(libraryResult(made.value.job, 0, webm), { kind: 'video', name: 'frames.webm', mime: 'video/webm' });
  const refused = libraryRequest('video', 'encode', {}, [{ name: 'é.png', bytes: new Uint8Array(1) }], terms);
  assert.ok(!refused.ok && /printable ASCII/.test(refused.error));
});

test("a join: its right table is a file picked, named in params.right and sent once as the job's files", () => {
  assert.deepEqual(paramFields('data', 'join'), [
    { name: 'on', required: true, kind: 'json', example: '"…" or {"left": "…", "right": "…"}' },
    { name: 'how', required: false, kind: 'enum', options: ['inner', 'left'] },
    { name: 'format', required: false, kind: 'enum', options: ['csv', 'json'] },
  ]);
  assert.deepEqual(fileFields('data', 'join'), [{ name: 'right', label: 'Right table' }]);
  const left = [{ name: 'orders.csv', bytes: new Uint8Array(Buffer.from('id,n\n1,2\n')) }];
  const right = { name: 'customers.csv', bytes: new Uint8Array(Buffer.from('id,name\n1,a\n')) };
  const made = libraryRequest('data', 'join', { on: '"id"', how: 'left' }, left, terms, { right });
  assert.ok(made.ok, made.ok ? '' : made.error);
  const { request } = made.value;
  assert.ok(SubmitJobSchema.safeParse(request).success);
  assert.deepEqual(request.params, { right: 'customers.csv', on: 'id', how: 'left' });
  const files = new Uint8Array(Buffer.from(request.files_base64!, 'base64'));
  assert.deepEqual(decodeInputFiles(files), [['customers.csv', right.bytes]]);
  const resolved = resolveLibrary('data', 'join', request.params, request.chunk_bytes, 'framed', files);
  assert.equal(typeof resolved === 'string' ? resolved : resolved.label, 'data/join');
  const none = libraryRequest('data', 'join', { on: '"id"' }, left, terms);
  assert.equal(none.ok ? 'accepted' : none.error, 'right: choose the right table');
});

test('results: images as images, CSV as a table, JSON and verdicts as text, digests as hex, named as meshctl names them', () => {
  const job = (library: string, method: string, params: Record<string, unknown> = {}) => ({
    library,
    method,
    params,
    files: ['photos/a.jpeg', 'b.csv'],
  });
  assert.deepEqual(libraryResult(job('image', 'resize'), 0, png), { kind: 'image', name: 'a.png', mime: 'image/png' });
  assert.deepEqual(
    libraryResult(job('image', 'rotate90', { format: 'jpeg' }), 0, Buffer.from([0xff, 0xd8, 0xff, 0xe0])),
    {
      kind: 'image',
      name: 'a.jpg',
      mime: 'image/jpeg',
    },
  );
  const webp = Buffer.from('RIFF\x1a\0\0\0WEBPVP8L', 'latin1');
  assert.deepEqual(libraryResult(job('image', 'fliph', { format: 'webp', lossless: true }), 0, webp), {
    kind: 'image',
    name: 'a.webp',
    mime: 'image/webp',
  });
  const csv = Buffer.from('k,total\n"a, b",3\nc,"say ""hi"""\n');
  assert.deepEqual(libraryResult(job('data', 'aggregate'), 1, csv), {
    kind: 'table',
    name: 'b.csv',
    mime: 'text/csv',
    rows: [
      ['k', 'total'],
      ['a, b', '3'],
      ['c', 'say "hi"'],
    ],
    more: false,
  });
  assert.deepEqual(libraryResult(job('data', 'sort', { format: 'json' }), 1, Buffer.from('[{"k":"a"}]')), {
    kind: 'text',
    name: 'b.json',
    mime: 'application/json',
    text: '[{"k":"a"}]',
  });
  const digest = Buffer.from('0a'.repeat(31) + 'ff', 'hex');
  assert.deepEqual(libraryResult(job('crypto', 'sha256'), 1, digest), {
    kind: 'hex',
    name: 'b.csv.sha256',
    mime: 'application/octet-stream',
    hex: '0a'.repeat(31) + 'ff',
  });
  // A digest that happens to be UTF-8 is still bytes.
  assert.equal(libraryResult(job('crypto', 'blake3'), 0, Buffer.from('abc')).kind, 'hex');
  assert.deepEqual(libraryResult(job('crypto', 'ed25519_verify'), 0, Buffer.from('valid\n')), {
    kind: 'text',
    name: 'a.jpeg.verified',
    mime: 'text/plain',
    text: 'valid\n',
  });
  assert.equal(libraryResult(job('crypto', 'sha512'), 0, new Uint8Array(200)).kind === 'hex', true);
  const long = libraryResult(job('crypto', 'aead_encrypt'), 0, new Uint8Array(200));
  assert.equal(long.kind === 'hex' && long.hex, `${'00'.repeat(128)}…`);
  // Audio in a player: WAV and FLAC by their bytes; fft's spectrum as a table or text.
  assert.deepEqual(libraryResult(job('audio', 'decode'), 0, Buffer.from('RIFF\0\0\0\0WAVE')), {
    kind: 'audio',
    name: 'a.wav',
    mime: 'audio/wav',
  });
  assert.deepEqual(libraryResult(job('audio', 'encode', { format: 'flac' }), 0, Buffer.from('fLaC\0\0\0"')), {
    kind: 'audio',
    name: 'a.flac',
    mime: 'audio/flac',
  });
  assert.deepEqual(libraryResult(job('audio', 'encode', { format: 'opus' }), 1, Buffer.from('OggS\0\x02')), {
    kind: 'audio',
    name: 'b.opus',
    mime: 'audio/ogg',
  });
  const spectrum = Buffer.from('frequency_hz,magnitude\n0,0.5\n');
  assert.deepEqual(libraryResult(job('audio', 'fft', { window: 64, format: 'csv' }), 1, spectrum), {
    kind: 'table',
    name: 'b.csv.spectrum.csv',
    mime: 'text/csv',
    rows: [
      ['frequency_hz', 'magnitude'],
      ['0', '0.5'],
    ],
    more: false,
  });
  assert.equal(libraryResult(job('audio', 'fft', { window: 64 }), 1, Buffer.from('{"window":64}')).kind, 'text');
});

test('CSV rows: quoted fields, CRLF, a newline inside quotes, and the first rows only', () => {
  assert.deepEqual(csvRows('a,b\r\n"x\ny",2\r\n', 5), {
    rows: [
      ['a', 'b'],
      ['x\ny', '2'],
    ],
    more: false,
  });
  assert.deepEqual(csvRows('a\n1\n2', 5), { rows: [['a'], ['1'], ['2']], more: false });
  const many = ['n', ...Array.from({ length: 30 }, (_, i) => String(i))].join('\n');
  const shown = csvRows(many, TABLE_ROWS);
  assert.equal(shown.rows.length, TABLE_ROWS);
  assert.equal(shown.more, true);
  assert.deepEqual(csvRows('', 5), { rows: [], more: false });
});
