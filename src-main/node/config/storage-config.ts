// storage.json in the data dir: how long finished work's blobs are kept, how often they are
// collected, and each requester's quota on my disk (core/storage/storage-config.ts). Absent, the
// defaults; read at start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../../core/schemas/zod.js';
import { decodeJson } from '../../core/schemas/index.js';
import {
  DEFAULT_STORAGE_CONFIG,
  MAX_STORAGE_CONFIG_BYTES,
  StorageConfigSchema,
  type StorageConfig,
} from '../../core/storage/storage-config.js';

/** The data dir's storage settings: storage.json's fields over the defaults (a field left out keeps its default). */
export function loadStorageConfig(dataDir: string): StorageConfig {
  const path = join(dataDir, 'storage.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return DEFAULT_STORAGE_CONFIG;
  }
  const read = decodeJson(z.partial(StorageConfigSchema), text, MAX_STORAGE_CONFIG_BYTES);
  if (!read.ok) throw new Error(`${path}: ${read.error.message} (fix it, or remove it for the defaults)`);
  return { ...DEFAULT_STORAGE_CONFIG, ...read.value };
}
