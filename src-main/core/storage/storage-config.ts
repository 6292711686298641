// A node's storage settings, kept in its data dir (storage.json; absent, these defaults): how long
// finished work's blobs are kept, how often they are collected, and how much of my disk one
// requester may fill. README "Where data lives" explains each to the user.
import * as z from 'zod/mini';

const Seconds = z.int().check(z.minimum(0), z.maximum(10 * 365 * 86_400));

export const StorageConfigSchema = z.strictObject({
  /** Seconds between collections (one also runs at start). */
  gc_interval_s: Seconds.check(z.minimum(1)),
  /**
   * A blob put (or fetched) within this many seconds is never collected, named or not: it covers
   * the moment between storing a job's chunks and journaling the job that names them (a
   * 100,000-unit submit takes seconds: keep this minutes).
   */
  grace_s: Seconds.check(z.minimum(1)),
  /** As provider: what I fetched and computed for a unit stays this long after the unit is settled or refunded. */
  provider_retention_s: Seconds,
  /** As requester: a finished (completed or cancelled) job's module and inputs stay this long; its outputs until the job is deleted. */
  input_retention_s: Seconds,
  /** As provider: the most bytes of blobs I hold for one requester (modules and outputs of its units). */
  requester_quota_bytes: z.int().check(z.minimum(0), z.maximum(2 ** 50)),
});
export type StorageConfig = z.infer<typeof StorageConfigSchema>;
export const MAX_STORAGE_CONFIG_BYTES = 4096;

export const DEFAULT_STORAGE_CONFIG: StorageConfig = {
  gc_interval_s: 3600,
  grace_s: 600,
  provider_retention_s: 3600,
  input_retention_s: 7 * 86_400,
  requester_quota_bytes: 2 ** 30,
};
