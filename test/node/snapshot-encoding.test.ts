// The snapshot's encoding: what it writes comes back equal, whatever the values; a state's shared
// small objects come back shared; what is not plain data is refused by name; and bytes cut short or
// made up are refused with a RangeError, never read as something else.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { stateFromData, stateToData } from '../../src-main/core/mesh/state/state-codec.js';
import { MeshState } from '../../src-main/core/mesh/state/state.js';
import { decodeSnapshot } from '../../src-main/node/journal/snapshot-decoding.js';
import { encodeSnapshot } from '../../src-main/node/journal/snapshot-encoding.js';
import { REQUESTER } from './fixtures/journal-events.js';
import { richJournal } from './fixtures/rich-journal.js';

const roundTrip = (value: unknown): unknown => decodeSnapshot(encodeSnapshot(value));

test('every kind of value a state holds comes back equal', () => {
  const bytes = Uint8Array.from({ length: 40 }, (_, i) => i * 7);
  const value = {
    strings: ['', 'ascii', 'été', '日本語', '🙂 emoji', 'ascii', '日本語', 'a'.repeat(300)],
    numbers: [0, -0, 1, -1, 127, 128, -129, 2 ** 31, -(2 ** 40), 2 ** 53 - 1, -(2 ** 60), 1.5, 1e-300, -1e300],
    odd: [NaN, Infinity, -Infinity],
    flags: [true, false, null, undefined],
    holes: { a: undefined, b: null },
    nested: { same: { x: 1, y: 'a' }, other: { x: 2, y: 'b' }, deeper: { x: { x: { x: 3, y: 'c' }, y: 'd' }, y: 'e' } },
    empty: [{}, [], new Map(), new Set()],
    map: new Map<unknown, unknown>([
      ['k', { v: 1 }],
      [7, 'seven'],
      [null, [1, 2]],
    ]),
    set: new Set(['a', 'b', 3]),
    typed: {
      bytes,
      // A view into a bigger buffer: only its own bytes travel.
      view: bytes.subarray(8, 16),
      ints: Int32Array.from([-1, 0, 2 ** 31 - 1]),
      doubles: Float64Array.from([0.1, -2.5]),
    },
    keys: { '0': 'numeric key', 'with space': 1, ['__proto__']: { not: 'a prototype' } },
  };
  // A key named __proto__ as JSON.parse makes it: an own property, not the prototype.
  const proto = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
  const back = roundTrip({ ...value, proto }) as typeof value & { proto: Record<string, unknown> };
  assert.deepStrictEqual(back, { ...value, proto });
  assert.ok(Object.is(back.numbers[1], -0), '-0 stays -0');
  assert.equal(Object.getPrototypeOf(back.proto), Object.prototype);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepStrictEqual(Object.keys(back.proto), ['__proto__', 'x']);
  assert.equal(back.typed.view.length, 8);
});

test('small objects the state shares among records come back shared, not one copy a record', () => {
  const resources = { cpu_cores: 1, ram_gb: 0.0625 };
  const records = Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, resources }));
  const back = roundTrip(records) as typeof records;
  assert.deepStrictEqual(back, records);
  assert.ok(back.every((record) => record.resources === back[0]!.resources));
  // Equal but distinct objects stay distinct.
  const distinct = roundTrip([{ a: 1 }, { a: 1 }]) as object[];
  assert.notEqual(distinct[0], distinct[1]);
});

test('a rich state shares no object or array among its records but small flat ones (which the encoding keeps shared)', () => {
  const state = new MeshState(REQUESTER);
  for (const event of richJournal('encoding').events) state.apply(event);
  const data = stateToData(state);
  const seen = new Set<object>();
  const shared: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
    if (seen.has(value)) {
      const flat =
        !(value instanceof Map || value instanceof Set || Array.isArray(value)) &&
        Object.values(value).every((v) => typeof v !== 'object' || v === null);
      if (!flat) shared.push(path);
      return;
    }
    seen.add(value);
    if (value instanceof Map) for (const [k, v] of value) walk(v, `${path}[${String(k)}]`);
    else if (value instanceof Set) for (const v of value) walk(v, `${path}{}`);
    else for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  walk(data, 'state');
  assert.deepStrictEqual(shared, []);
  assert.deepStrictEqual(stateToData(stateFromData(REQUESTER, roundTrip(data) as Record<string, unknown>)), data);
});

test('what is not plain data is refused, by what it is', () => {
  class Clock {
    now = 1;
  }
  assert.throws(() => encodeSnapshot({ clock: new Clock() }), /not an instance of Clock/);
  assert.throws(() => encodeSnapshot([new Date(0)]), /not an instance of Date/);
  assert.throws(() => encodeSnapshot({ f: () => 1 }), /not a function/);
  assert.throws(() => encodeSnapshot({ n: 1n }), /not a bigint/);
  assert.throws(() => encodeSnapshot(Symbol('s')), /not a symbol/);
});

test('bytes cut short anywhere, or made up, are refused with a RangeError and never read as a value', () => {
  const encoded = encodeSnapshot({ a: [1, 'two', { b: 3.5 }], m: new Map([['k', new Uint8Array([1, 2])]]) });
  for (let cut = 0; cut < encoded.length; cut++)
    assert.throws(() => decodeSnapshot(encoded.subarray(0, cut)), RangeError, `cut at ${cut}`);
  assert.throws(() => decodeSnapshot(Buffer.concat([encoded, Buffer.from([1])])), /bytes after its value/);
  // A count far beyond the bytes there: refused before anything that size is made.
  assert.throws(() => decodeSnapshot(Buffer.from([8, 0xff, 0xff, 0xff, 0xff, 0x0f])), /cut short/);
  for (let i = 0; i < 2000; i++) {
    const junk = randomBytes(1 + (i % 64));
    try {
      decodeSnapshot(junk);
    } catch (err) {
      assert.ok(err instanceof RangeError, `${junk.toString('hex')}: ${String(err)}`);
    }
  }
});
