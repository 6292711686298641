// The native references' view of media files the library makes, shared by the library's own tests
// and the mesh's: ffprobe's report of a video, and a WAV's samples.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

export interface VideoProbe {
  streams: Array<{ codec_name: string; width: number; height: number; nb_read_frames: string; r_frame_rate: string }>;
  format: { format_name: string; duration: string };
}

/** ffprobe's streams and format of the video at `path`, its frames counted. */
export function ffprobe(path: string): VideoProbe {
  const json = execFileSync('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(json.toString()) as VideoProbe;
}

/** The bytes of a WAV's data chunk. */
export function pcm(wav: Uint8Array): Buffer {
  const b = Buffer.from(wav);
  assert.equal(b.toString('latin1', 0, 4), 'RIFF');
  for (let at = 12; at + 8 <= b.byteLength; at += 8 + b.readUInt32LE(at + 4) + (b.readUInt32LE(at + 4) & 1))
    if (b.toString('latin1', at, at + 4) === 'data') return b.subarray(at + 8, at + 8 + b.readUInt32LE(at + 4));
  throw new Error('no data chunk');
}

/** 16-bit little-endian samples. */
export const s16 = (bytes: Buffer) =>
  new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
