// Scenes (core/render): a scene file's JSON, validated as a file (meshes may name OBJ files) and
// as a job's scene; a scene that passes compiles into the kernel's blob, whose header reads back.
// The bytes are also read as a blob's header, as they arrive in a render unit.
import { compileSceneJson, parseSceneFile, readBlobHeader } from '../../../src-main/core/render/index.js';
import { decodeJson } from '../../../src-main/core/schemas/index.js';
import * as z from 'zod/mini';
import { check, expectDecoded } from './expect.js';

export function fuzz(data: Buffer): void {
  // The same bytes as a compiled blob, as the kernel is handed one: a header that reads or null.
  const raw = readBlobHeader(data);
  check(raw === null || raw.byteLength === data.byteLength, 'a blob header of another length');
  const json = expectDecoded(decodeJson(z.unknown(), data.toString('utf8')), 'scene JSON');
  if (json === undefined) return;
  expectDecoded(parseSceneFile(json), 'scene file');
  const blob = expectDecoded(compileSceneJson(json, data.byteLength % 7), 'scene');
  if (blob === undefined) return;
  const header = readBlobHeader(blob);
  check(header !== null && header.byteLength === blob.byteLength, 'a compiled scene whose header does not read back');
}
