// The encoding of a state snapshot (state-snapshots.ts): a structured clone of plain data (objects,
// arrays, Maps, Sets, byte arrays, strings, numbers, booleans, null, undefined) that writes each
// distinct string once and each object's keys once per shape. A big job's state says the same ids,
// CIDs and keys again and again: v8.serialize wrote a 100,000-unit state as 247 MB in 1.6 s on the
// main thread, every string and key in full, and loaded every copy back as a string of its own.
// Here each repeat is a back-reference, and a load gives one string for all of them.
//
// Layout: a tag byte per value, then its body; lengths and counts as unsigned LEB128.
//   string: STRING byteLength utf8 (it becomes string #n) | STRING_REF n
//   object: SHAPE keyCount key… value… (the shape becomes shape #n) | OBJECT n value… |
//           SAME_OBJECT n (the object last written with shape n, again: the state shares small
//           flat objects, such as a unit's resources, among many records)
//   INT zigzag | FLOAT f64le | ARRAY length item… | MAP size (key value)… | SET size item… |
//   TYPED_ARRAY kind byteLength byte…
// Objects and arrays reachable twice are otherwise written twice (the state shares none but those:
// test/node/snapshot-encoding.test.ts checks a rich state for it).

/** The tag byte that starts each value. */
export const Tag = {
  Undefined: 0,
  Null: 1,
  False: 2,
  True: 3,
  Int: 4,
  Float: 5,
  String: 6,
  StringRef: 7,
  Array: 8,
  Shape: 9,
  Object: 10,
  SameObject: 11,
  Map: 12,
  Set: 13,
  TypedArray: 14,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

/** The typed arrays a snapshot keeps, by the number its bytes are tagged with. */
export const TYPED_ARRAYS = [
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
];

/** Integers that travel as varints (zigzag): beyond this they are written as float64. */
export const MAX_VARINT_INT = 2 ** 52;
