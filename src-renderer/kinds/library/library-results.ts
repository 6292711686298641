// A library method's result as the Jobs page shows it (docs/KERNELS.md, "The library"): an image as
// a thumbnail (PNG, JPEG or WebP, by its bytes), audio (WAV, FLAC or Ogg Opus, by its bytes) or a
// video (WebM) in a player, CSV as a small table, JSON and text as text, a digest, a signature or
// ciphertext as hex; each under the name `meshctl run --out` gives it, to download.
import { PROGRAM_LIBRARIES } from '../../../src-main/core/library/methods.js';
import type { LibraryJob } from './library-form.js';

export type LibraryResult = { name: string; mime: string } & (
  | { kind: 'image' }
  | { kind: 'audio' }
  | { kind: 'video' }
  | { kind: 'table'; rows: string[][]; more: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'hex'; hex: string }
);

/** The rows of a CSV result a card shows (the header among them); the rest are in the download. */
export const TABLE_ROWS = 11;
/** The characters of a text result, and the bytes of a binary one as hex, a card shows. */
const TEXT_CHARS = 2000;
const HEX_BYTES = 128;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** EBML's magic: a WebM's first bytes. */
const WEBM_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);
/** A WebP: a RIFF file whose form type (bytes 8..11) is `WEBP`. */
const isWebp = (bytes: Uint8Array) =>
  startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes.subarray(8), [0x57, 0x45, 0x42, 0x50]);

/** The first rows of RFC 4180 CSV (quoted fields, "" for a quote, CRLF or LF), and whether there are more. */
export function csvRows(text: string, maxRows: number): { rows: string[][]; more: boolean } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (rows.length === maxRows) return { rows, more: true };
      rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    if (rows.length === maxRows) return { rows, more: true };
    rows.push([...row, field]);
  }
  return { rows, more: false };
}

/** UTF-8 text, or undefined where the bytes are not. */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const hexOf = (bytes: Uint8Array) =>
  [...bytes.subarray(0, HEX_BYTES)].map((b) => b.toString(16).padStart(2, '0')).join('') +
  (bytes.byteLength > HEX_BYTES ? '…' : '');

const clip = (text: string) => (text.length > TEXT_CHARS ? `${text.slice(0, TEXT_CHARS)}…` : text);

/** Unit `index`'s verified result (its program's stdout) as its card shows it. */
export function libraryResult(job: LibraryJob, index: number, bytes: Uint8Array): LibraryResult {
  const file = job.files[index] ?? String(index);
  const spec = PROGRAM_LIBRARIES[job.library]?.methods[job.method];
  const name = spec ? spec.outputName(file.split('/').pop() ?? file, job.params) : file;
  if (job.library === 'video' && startsWith(bytes, WEBM_MAGIC)) return { kind: 'video', name, mime: 'video/webm' };
  if (job.library === 'image') {
    if (startsWith(bytes, PNG_MAGIC)) return { kind: 'image', name, mime: 'image/png' };
    if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'image', name, mime: 'image/jpeg' };
    if (isWebp(bytes)) return { kind: 'image', name, mime: 'image/webp' };
  }
  if (job.library === 'audio') {
    if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46])) return { kind: 'audio', name, mime: 'audio/wav' };
    if (startsWith(bytes, [0x66, 0x4c, 0x61, 0x43])) return { kind: 'audio', name, mime: 'audio/flac' };
    if (startsWith(bytes, [0x4f, 0x67, 0x67, 0x53])) return { kind: 'audio', name, mime: 'audio/ogg' };
  }
  const text = utf8(bytes);
  // fft's spectrum: CSV as a table, JSON as text.
  if (job.library === 'audio' && job.params.format === 'csv' && text !== undefined)
    return { kind: 'table', name, mime: 'text/csv', ...csvRows(text, TABLE_ROWS) };
  if (job.library === 'data' && text !== undefined) {
    if (job.params.format === 'json') return { kind: 'text', name, mime: 'application/json', text: clip(text) };
    return { kind: 'table', name, mime: 'text/csv', ...csvRows(text, TABLE_ROWS) };
  }
  // A digest, a signature, a ciphertext: bytes, shown as hex; ed25519_verify's verdict and a decrypted text as text.
  const binary = job.library === 'crypto' && job.method !== 'ed25519_verify' && job.method !== 'aead_decrypt';
  if (text !== undefined && !binary) return { kind: 'text', name, mime: 'text/plain', text: clip(text) };
  return { kind: 'hex', name, mime: 'application/octet-stream', hex: hexOf(bytes) };
}
