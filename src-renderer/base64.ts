// Bytes the API carries as base64 (tile outputs, PNGs, a program's module and input), decoded and
// encoded in the browser.
export function bytesOfBase64(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Bytes as base64, a block at a time (String.fromCharCode takes only so many arguments). */
export function base64OfBytes(bytes: Uint8Array): string {
  const BLOCK = 0x8000;
  let text = '';
  for (let at = 0; at < bytes.byteLength; at += BLOCK)
    text += String.fromCharCode(...bytes.subarray(at, Math.min(at + BLOCK, bytes.byteLength)));
  return btoa(text);
}
