// An uncompressed tar (POSIX ustar) of files, as the video library's units take frames in and give
// them out (video-methods.ts): written the one way the video program writes one (mode 0644, owner
// 0, time 0), so the same frames make the same bytes everywhere. Pure.

const BLOCK = 512;
/** ustar's name field; a longer name would need its prefix field, which frames never do. */
const MAX_NAME_BYTES = 99;

export interface TarFile {
  name: string;
  bytes: Uint8Array;
}

const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`;
/** ASCII text as bytes (every name and field here is ASCII: the core has no TextEncoder). */
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The files as one ustar archive, in the order given. Throws RangeError on a name it cannot hold. */
export function tarOf(files: readonly TarFile[]): Uint8Array<ArrayBuffer> {
  const size = files.reduce((n, f) => n + BLOCK + Math.ceil(f.bytes.byteLength / BLOCK) * BLOCK, 2 * BLOCK);
  const out = new Uint8Array(size);
  let at = 0;
  for (const { name, bytes } of files) {
    if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(name) || name.length > MAX_NAME_BYTES)
      throw new RangeError(
        `a tar entry's name is 1..${MAX_NAME_BYTES} printable ASCII characters: ${name.slice(0, 40)}`,
      );
    const nameBytes = ascii(name);
    const header = out.subarray(at, at + BLOCK);
    header.set(nameBytes, 0);
    header.set(ascii(octal(0o644, 8)), 100);
    header.set(ascii(octal(0, 8)), 108);
    header.set(ascii(octal(0, 8)), 116);
    header.set(ascii(octal(bytes.byteLength, 12)), 124);
    header.set(ascii(octal(0, 12)), 136);
    header[156] = 0x30; // '0': a regular file
    header.set(ascii('ustar\0'), 257);
    header.set(ascii('00'), 263);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((s, b) => s + b, 0);
    header.set(ascii(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    out.set(bytes, at + BLOCK);
    at += BLOCK + Math.ceil(bytes.byteLength / BLOCK) * BLOCK;
  }
  return out;
}

/** The regular files of a ustar archive, in its order (a name's bytes as Latin-1), or why it is not one. */
export function filesOfTar(tar: Uint8Array): TarFile[] | string {
  const files: TarFile[] = [];
  const field = (from: number, len: number) => {
    const bytes = tar.subarray(from, from + len);
    const end = bytes.indexOf(0);
    return String.fromCharCode(...(end < 0 ? bytes : bytes.subarray(0, end)));
  };
  let at = 0;
  while (at + BLOCK <= tar.byteLength) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return files;
    const sum = header.reduce((s, b, i) => s + (i >= 148 && i < 156 ? 0x20 : b), 0);
    if (parseInt(field(at + 148, 8).trim(), 8) !== sum) return `not a tar archive: a bad header checksum at byte ${at}`;
    const size = parseInt(field(at + 124, 12).trim() || '0', 8);
    const name = field(at, 100);
    at += BLOCK;
    if (!Number.isSafeInteger(size) || size > tar.byteLength - at) return `the tar archive is truncated at ${name}`;
    if (header[156] === 0x30 || header[156] === 0) files.push({ name, bytes: tar.slice(at, at + size) });
    at += Math.ceil(size / BLOCK) * BLOCK;
  }
  return at === tar.byteLength && files.length > 0 ? files : 'the tar archive has no end';
}

/**
 * Files as a method that takes one tar of them has them (program.ts `takes`): a lone .tar as it is,
 * else a tar of them all in the order of their names, named frames.tar.
 */
export function oneTar(files: readonly TarFile[]): TarFile {
  if (files.length === 1 && files[0]!.name.endsWith('.tar')) return files[0]!;
  const byName = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { name: 'frames.tar', bytes: tarOf(byName) };
}
