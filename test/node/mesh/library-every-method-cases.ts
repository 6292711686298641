// The cases of library-every-method.test.ts for the crypto, image and data libraries: each a
// method's `meshctl run` (its params and files, made here) and the check of its results against
// the native reference on this machine: openssl and b3sum for the digests, OpenSSL through
// node:crypto for Ed25519 and XChaCha20-Poly1305, ImageMagick 6 for the image methods (compared
// as RGBA pixels, at the tolerances test/node/library/image.test.ts measured) and SQLite's command
// line for the data methods. library-every-media-cases.ts has audio's and video's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { xchachaSeal } from '../reference/hchacha20.js';

export interface MethodCase {
  library: string;
  method: string;
  /** What tells this case from another of its method (a filter, a format). */
  variant?: string;
  params?: Record<string, unknown>;
  /** The files, each a unit (all of them one unit where the method takes a tar). */
  files: string[];
  /** `--with`: the files every unit reads at /input. */
  with?: string[];
  /** The names `meshctl run` writes to the case's --out folder, which `check` reads. */
  outputs: string[];
  /** Asserts on the results: `out` reads one by its name, `at` is its path. */
  check: (out: (name: string) => Buffer, at: (name: string) => string) => void;
}

export const tool = (cmd: string, args: string[], input?: Uint8Array) =>
  execFileSync(cmd, args, { input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });

/** Writes `bytes` to `dir`/`name`: its path. */
function file(dir: string, name: string, bytes: Uint8Array | string): string {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
}

export function psnr(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.byteLength, b.byteLength, 'the same size');
  let sum = 0;
  for (let i = 0; i < a.byteLength; i++) sum += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (sum / a.byteLength));
}

function cryptoCases(dir: string): MethodCase[] {
  // Sizes at no block boundary in particular, the empty file and a megabyte among them.
  const blobs = [0, 1, 4096, 1_000_003].map((size, i) => file(dir, `c${i}.bin`, randomBytes(size)));
  const names = (suffix: string) => blobs.map((_, i) => `c${i}.bin${suffix}`);
  const digest = (method: string, native: (path: string) => Buffer): MethodCase => ({
    library: 'crypto',
    method,
    files: blobs,
    outputs: names(`.${method}`),
    check: (out) => blobs.forEach((path, i) => assert.deepEqual(out(`c${i}.bin.${method}`), native(path), path)),
  });
  const seed = randomBytes(32);
  const key = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const message = readFileSync(blobs[2]!);
  const altered = file(dir, 'altered.bin', Buffer.concat([message, Buffer.from([0])]));
  const aeadKey = randomBytes(32);
  const ad = randomBytes(20);
  const aead = { key: aeadKey.toString('hex'), ad: ad.toString('hex') };
  // Sealed here by OpenSSL, each under a nonce of its own, for aead_decrypt to open.
  const sealed = blobs.map((path, i) => {
    const nonce = randomBytes(24);
    return file(dir, `s${i}.bin.enc`, Buffer.concat([nonce, xchachaSeal(aeadKey, nonce, readFileSync(path), ad)]));
  });
  return [
    digest('sha256', (path) => tool('openssl', ['dgst', '-sha256', '-binary', path])),
    digest('sha512', (path) => tool('openssl', ['dgst', '-sha512', '-binary', path])),
    digest('blake3', (path) => tool('b3sum', ['--no-names', '--raw', path])),
    {
      library: 'crypto',
      method: 'ed25519_sign',
      params: { seed: seed.toString('hex') },
      files: blobs,
      outputs: names('.sig'),
      check: (out) =>
        blobs.forEach((path, i) => assert.deepEqual(out(`c${i}.bin.sig`), sign(null, readFileSync(path), key), path)),
    },
    {
      library: 'crypto',
      method: 'ed25519_verify',
      params: { public_key: publicKey, signature: sign(null, message, key).toString('hex') },
      files: [blobs[2]!, altered],
      outputs: ['c2.bin.verified', 'altered.bin.verified'],
      check: (out) => {
        assert.equal(out('c2.bin.verified').toString(), 'valid\n');
        assert.equal(out('altered.bin.verified').toString(), 'invalid\n');
      },
    },
    {
      library: 'crypto',
      method: 'aead_encrypt',
      params: aead,
      files: blobs,
      outputs: names('.enc'),
      check: (out) => {
        const nonces = new Set<string>();
        blobs.forEach((path, i) => {
          const sealedHere = out(`c${i}.bin.enc`);
          const nonce = sealedHere.subarray(0, 24);
          nonces.add(nonce.toString('hex'));
          assert.deepEqual(sealedHere.subarray(24), xchachaSeal(aeadKey, nonce, readFileSync(path), ad), path);
        });
        assert.equal(nonces.size, blobs.length, 'each unit its own nonce');
      },
    },
    {
      library: 'crypto',
      method: 'aead_decrypt',
      params: aead,
      files: sealed,
      outputs: sealed.map((_, i) => `s${i}.bin`),
      check: (out) => blobs.forEach((path, i) => assert.deepEqual(out(`s${i}.bin`), readFileSync(path), path)),
    },
  ];
}

const rgba = (image: Uint8Array) => tool('/usr/bin/convert', ['-', '-depth', '8', 'rgba:-'], image);

/** That two images' RGBA pixels differ by at most `max` and on average by under `mean`. */
function within(ours: Uint8Array, theirs: Uint8Array, max: number, mean: number, what: string): void {
  const [x, y] = [rgba(ours), rgba(theirs)];
  assert.equal(x.byteLength, y.byteLength, `${what}: the same size`);
  let [most, sum] = [0, 0];
  for (let i = 0; i < x.byteLength; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    most = Math.max(most, d);
    sum += d;
  }
  assert.ok(most <= max && sum / x.byteLength < mean, `${what}: max ${most} (≤ ${max}), mean ${sum / x.byteLength}`);
}

function imageCases(dir: string): MethodCase[] {
  // A photo-like 97 × 61 PNG (IM's plasma fractal, seeded) and a GIF of another (256 colours).
  const photo = file(
    dir,
    'photo.png',
    tool('/usr/bin/convert', ['-seed', '7', '-size', '97x61', 'plasma:', 'png24:-']),
  );
  const drawing = file(
    dir,
    'drawing.gif',
    tool('/usr/bin/convert', ['-seed', '9', '-size', '97x61', 'plasma:', 'gif:-']),
  );
  /** A method over both, each result within `max` (and a mean under `mean`) of ImageMagick's `args`. */
  const like = (method: string, params: Record<string, unknown>, args: string[], max = 0, mean = 1): MethodCase => ({
    library: 'image',
    method,
    ...(typeof params.filter === 'string' ? { variant: params.filter } : {}),
    params,
    files: [photo, drawing],
    outputs: ['photo.png', 'drawing.png'],
    check: (out) => {
      for (const [path, name] of [
        [photo, 'photo.png'],
        [drawing, 'drawing.png'],
      ] as const)
        within(out(name), tool('/usr/bin/convert', [path, ...args, 'png:-']), max, mean, `${method} of ${name}`);
    },
  });
  const resize = (filter: string, theirs: string, max: number) =>
    like('resize', { width: 24, height: 15, filter }, ['-filter', theirs, '-resize', '24x15!'], max, 0.5);
  return [
    resize('nearest', 'Point', 0),
    resize('triangle', 'Triangle', 1),
    resize('catmull-rom', 'Catrom', 1),
    resize('gaussian', 'Gaussian', 1),
    resize('lanczos3', 'Lanczos', 1),
    like('crop', { x: 5, y: 7, width: 40, height: 30 }, ['-crop', '40x30+5+7', '+repage']),
    // Within 7 on the GIF's dithered edges (6 on the photo).
    like('blur', { sigma: 2 }, ['-gaussian-blur', '0x2'], 7, 0.6),
    // Q16: a value v of 8 bits is v × 257.
    like('brighten', { value: 40 }, ['-evaluate', 'add', String(40 * 257)]),
    like('contrast', { value: 30 }, ['-channel', 'RGB', '-fx', `(u-0.5)*${1.3 ** 2}+0.5`]),
    like('grayscale', {}, ['-grayscale', 'Rec709Luma'], 1, 0.01),
    like('rotate90', {}, ['-rotate', '90']),
    like('rotate180', {}, ['-rotate', '180']),
    like('rotate270', {}, ['-rotate', '270']),
    like('fliph', {}, ['-flop']),
    like('flipv', {}, ['-flip']),
    like('invert', {}, ['-negate']),
    {
      library: 'image',
      method: 'rotate90',
      variant: 'as JPEG',
      params: { format: 'jpeg', quality: 80 },
      files: [photo, drawing],
      outputs: ['photo.jpg', 'drawing.jpg'],
      check: (out) => {
        for (const [path, name] of [
          [photo, 'photo.jpg'],
          [drawing, 'drawing.jpg'],
        ] as const) {
          assert.equal(
            tool('/usr/bin/convert', ['-', '-format', '%m %wx%h %Q', 'info:'], out(name)).toString(),
            'JPEG 61x97 80',
          );
          const db = psnr(rgba(out(name)), rgba(tool('/usr/bin/convert', [path, '-rotate', '90', 'png:-'])));
          assert.ok(db > 25, `${name}: ${db.toFixed(1)} dB`);
        }
      },
    },
  ];
}

function dataCases(dir: string): MethodCase[] {
  /** A table of `rows`: a zero-padded id, a group of 5, a number with decimals, a name. */
  const table = (name: string, rows: number, seed: number) => {
    const lines = ['id,grp,x,name'];
    for (let i = 0; i < rows; i++)
      lines.push(`${String(i).padStart(4, '0')},g${(i * seed) % 5},${(((i * 7919 + seed) % 2000) - 1000) / 8},n${i}`);
    return file(dir, name, `${lines.join('\n')}\n`);
  };
  const tables = [table('a.csv', 300, 3), table('b.csv', 120, 7)];
  // Groups g0..g3 have a label, g3 twice; g4 joins none.
  const groups = file(dir, 'groups.csv', 'grp,label\ng0,zero\ng1,one\ng2,two\ng3,three\ng3,drei\n');
  const sqlite = (path: string, query: string, mode = 'csv') =>
    tool('sqlite3', [
      ':memory:',
      '-cmd',
      '.mode csv',
      '-cmd',
      `.import ${path} t`,
      '-cmd',
      `.import ${groups} g`,
      '-cmd',
      `.mode ${mode}`,
      '-cmd',
      '.headers on',
      query,
    ])
      .toString()
      .replaceAll('\r\n', '\n');
  /** A method over both tables, each result SQLite's `query` over it, exactly. */
  const exact = (method: string, params: Record<string, unknown>, query: string, extra: Partial<MethodCase> = {}) => ({
    library: 'data',
    method,
    params,
    files: tables,
    outputs: ['a.csv', 'b.csv'],
    check: (out: (name: string) => Buffer) =>
      tables.forEach((path, i) => assert.equal(out(['a.csv', 'b.csv'][i]!).toString(), sqlite(path, query), path)),
    ...extra,
  });
  const rows = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => line.split(','));
  return [
    exact(
      'filter',
      { column: 'x', op: 'ge', value: '-12.5', numeric: true },
      'SELECT * FROM t WHERE CAST(x AS REAL) >= -12.5',
    ),
    exact(
      'sort',
      {
        by: [
          { column: 'grp', descending: true },
          { column: 'x', numeric: true },
        ],
      },
      'SELECT * FROM t ORDER BY grp DESC, CAST(x AS REAL), rowid',
    ),
    exact(
      'join',
      { right: 'groups.csv', on: 'grp' },
      'SELECT t.*, g.label FROM t JOIN g ON t.grp = g.grp ORDER BY t.rowid, g.rowid',
      {
        with: [groups],
      },
    ),
    {
      library: 'data',
      method: 'transform',
      params: { select: ['name', 'x', 'id'], rename: { x: 'value' }, cast: { id: 'int' }, format: 'json' },
      files: tables,
      outputs: ['a.json', 'b.json'],
      check: (out) =>
        tables.forEach((path, i) =>
          assert.deepEqual(
            JSON.parse(out(['a.json', 'b.json'][i]!).toString()),
            JSON.parse(sqlite(path, 'SELECT name, x AS value, CAST(id AS INTEGER) AS id FROM t', 'json')),
            path,
          ),
        ),
    },
    {
      library: 'data',
      method: 'aggregate',
      params: {
        group_by: ['grp'],
        aggregates: [
          { fn: 'sum', column: 'x' },
          { fn: 'mean', column: 'x' },
          { fn: 'count' },
          { fn: 'min', column: 'x' },
          { fn: 'max', column: 'x', as: 'top' },
        ],
      },
      files: tables,
      outputs: ['a.csv', 'b.csv'],
      check: (out) =>
        tables.forEach((path, i) => {
          const mine = rows(out(['a.csv', 'b.csv'][i]!).toString());
          const query =
            'SELECT grp, SUM(CAST(x AS REAL)), AVG(CAST(x AS REAL)), COUNT(*), MIN(CAST(x AS REAL)), MAX(CAST(x AS REAL)) FROM t GROUP BY grp ORDER BY grp';
          const theirs = rows(sqlite(path, query));
          assert.deepEqual(mine[0], ['grp', 'sum_x', 'mean_x', 'count', 'min_x', 'top']);
          assert.equal(mine.length, theirs.length, path);
          for (let r = 1; r < mine.length; r++) {
            assert.equal(mine[r]![0], theirs[r]![0]);
            for (let c = 1; c < 6; c++) {
              const [a, b] = [Number(mine[r]![c]), Number(theirs[r]![c])];
              assert.ok(
                Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)),
                `${path} row ${r} column ${c}: ${a} vs ${b}`,
              );
            }
          }
        }),
    },
  ];
}

/** The crypto, image and data cases, their inputs written to `dir`. */
export function tableCases(dir: string): MethodCase[] {
  return [...cryptoCases(dir), ...imageCases(dir), ...dataCases(dir)];
}
