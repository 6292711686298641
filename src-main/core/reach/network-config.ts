// A node's network settings, kept in its data dir (network.json): the port it listens on (chosen
// once, so peers that knew it find it again after a restart), UPnP, and the relay it offers the
// people it trusts, with its limits. And the redial schedule for peers it knew.
import * as z from '../schemas/zod.js';

export const RELAY_MODES = ['auto', 'on', 'off'] as const;
export type RelayMode = (typeof RELAY_MODES)[number];

export const RelaySettingsSchema = z.strictObject({
  /** auto: relay while this node is reachable from anywhere; on: always; off: never. */
  mode: z.enum(RELAY_MODES),
  /** Peers that may hold a reservation at once. */
  max_reservations: z.int().check(z.minimum(1), z.maximum(1024)),
  /** Bytes a relayed connection may carry (both ways) before the relay closes it. */
  max_bytes: z.int().check(z.minimum(64 * 1024), z.maximum(2 ** 40)),
  /** Seconds a relayed connection may stay open before the relay closes it. */
  max_seconds: z.int().check(z.minimum(10), z.maximum(7 * 86_400)),
});
export type RelaySettings = z.infer<typeof RelaySettingsSchema>;

export const NetworkConfigSchema = z.strictObject({
  /** The TCP port a node listens on when no --listen is given. */
  listen_port: z.int().check(z.minimum(1), z.maximum(65_535)),
  /** Ask the router (UPnP IGD) to forward that port. */
  upnp: z.boolean(),
  relay: RelaySettingsSchema,
});
export type NetworkConfig = z.infer<typeof NetworkConfigSchema>;
export const MAX_NETWORK_CONFIG_BYTES = 4096;

/**
 * Generous for a relay between friends: work may flow over it while a direct connection is tried,
 * and a relayed connection that reaches a limit is closed and dialled again.
 */
export const DEFAULT_RELAY: RelaySettings = {
  mode: 'auto',
  max_reservations: 16,
  max_bytes: 256 * 1024 * 1024,
  max_seconds: 3600,
};

/** The range a node's port is drawn from the first time: above the well-known and common ones. */
export const PORT_RANGE = { min: 20_000, max: 59_999 } as const;

/** A port in PORT_RANGE from a random draw in [0, 1). */
export function portFrom(random01: number): number {
  return PORT_RANGE.min + Math.floor(random01 * (PORT_RANGE.max - PORT_RANGE.min + 1));
}

/** Whether this node relays now, for peers it trusts. */
export function relayServing(mode: RelayMode, reachable: boolean): boolean {
  return mode === 'on' || (mode === 'auto' && reachable);
}

export const REDIAL = { firstMs: 1000, maxMs: 5 * 60_000, factor: 2, jitter: 0.25 } as const;

/**
 * How long to wait before the `attempt`th redial (0-based) of a peer that went away: doubling from
 * 1 s to 5 min, spread by ±25 % (`random01` in [0, 1)) so that nodes that lost the same network do
 * not all dial at once when it comes back.
 */
export function redialDelayMs(attempt: number, random01: number): number {
  const base = Math.min(REDIAL.maxMs, REDIAL.firstMs * REDIAL.factor ** Math.min(attempt, 30));
  return Math.round(base * (1 - REDIAL.jitter + 2 * REDIAL.jitter * random01));
}
