// A scene sent as a zip: its central directory read and every entry checked before a byte is
// written. Refused: a name that is absolute or climbs out (`..`), a backslash or drive name, a
// symlink (its target could be anywhere), an encrypted entry, a compression other than stored or
// deflate, ZIP64 (past 4 GiB, far past a scene's limit), and a total past the limit as declared
// (the node checks each entry inflates to exactly its declared size).

export interface ZipEntry {
  /** The path inside the zip, `/`-separated; folders end with `/`. */
  name: string;
  /** 0: stored, 8: deflate. */
  method: 0 | 8;
  compressedSize: number;
  size: number;
  /** Where the entry's data starts in the zip. */
  dataOffset: number;
}

export class ZipRefused extends Error {
  override readonly name = 'ZipRefused';
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const UNIX = 3;

/** What is wrong with a path inside a scene (a zip's entry, a folder's file), or undefined when nothing. */
export function pathProblem(name: string): string | undefined {
  if (name.includes('\\') || name.includes('\0') || /^[a-zA-Z]:/.test(name))
    return `${JSON.stringify(name)}: a name with a backslash, NUL or drive`;
  if (name.startsWith('/')) return `${JSON.stringify(name)} is an absolute path`;
  if (name.split('/').some((part) => part === '..')) return `${JSON.stringify(name)} climbs out of the scene's folder`;
  return undefined;
}

function safeName(name: string): string {
  const problem = pathProblem(name);
  if (problem) throw new ZipRefused(`zip entry ${problem}`);
  return name;
}

/**
 * The zip's entries, each checked; throws ZipRefused naming the first that is refused. `utf8`
 * decodes a name (the node's TextDecoder, fatal on bad bytes: the core has no decoder).
 */
export function readZipDirectory(zip: Uint8Array, maxBytes: number, utf8: (bytes: Uint8Array) => string): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = -1;
  for (let i = zip.byteLength - 22; i >= Math.max(0, zip.byteLength - 22 - 65_535); i--)
    if (view.getUint32(i, true) === EOCD) {
      end = i;
      break;
    }
  if (end < 0) throw new ZipRefused('not a zip: no end of central directory');
  const count = view.getUint16(end + 10, true);
  const dirSize = view.getUint32(end + 12, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || dirSize === 0xffffffff || at === 0xffffffff) throw new ZipRefused('ZIP64 is not taken');
  if (at + dirSize > end) throw new ZipRefused('the central directory runs past its end');
  const entries: ZipEntry[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL) throw new ZipRefused('a broken central directory');
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const attributes = view.getUint32(at + 38, true);
    const local = view.getUint32(at + 42, true);
    if (at + 46 + nameLength > end) throw new ZipRefused('a broken central directory');
    const name = safeName(utf8(zip.subarray(at + 46, at + 46 + nameLength)));
    if (madeBy === UNIX && ((attributes >>> 16) & S_IFMT) === S_IFLNK)
      throw new ZipRefused(`zip entry ${JSON.stringify(name)} is a symlink`);
    if (flags & 1) throw new ZipRefused(`zip entry ${JSON.stringify(name)} is encrypted`);
    if (method !== 0 && method !== 8) throw new ZipRefused(`zip entry ${JSON.stringify(name)}: compression ${method}`);
    if (size === 0xffffffff || compressedSize === 0xffffffff || local === 0xffffffff)
      throw new ZipRefused('ZIP64 is not taken');
    total += size;
    if (total > maxBytes) throw new ZipRefused(`the zip unpacks to over ${maxBytes} bytes (at ${name})`);
    if (local + 30 > zip.byteLength || view.getUint32(local, true) !== LOCAL)
      throw new ZipRefused(`zip entry ${JSON.stringify(name)}: no local header`);
    const dataOffset = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (dataOffset + compressedSize > zip.byteLength)
      throw new ZipRefused(`zip entry ${JSON.stringify(name)} runs past the zip`);
    entries.push({ name, method, compressedSize, size, dataOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
