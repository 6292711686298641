// The public addresses a node listens on. libp2p announces a public address only once AutoNAT has
// had it dialled back by several peers, which a node on a public IP with a handful of friends may
// never get; a public IP on one of my own interfaces is how the world addresses this machine, so it
// is announced from the start (a firewall in front of it is what a relay is for).
import { networkInterfaces } from 'node:os';
import { addressKind } from '../../core/reach/addresses.js';

const WILDCARD = '/ip4/0.0.0.0/';

/** `listen` with every wildcard expanded to this machine's public IPv4 addresses; ports 0 left out (libp2p picks them). */
export function publicListenAddresses(listen: readonly string[]): string[] {
  const ips = Object.values(networkInterfaces())
    .flat()
    .flatMap((i) => (i?.family === 'IPv4' ? [i.address] : []));
  return listen
    .filter((a) => !/\/(tcp|udp)\/0(\/|$)/.test(a))
    .flatMap((a) => (a.startsWith(WILDCARD) ? ips.map((ip) => a.replace(WILDCARD, `/ip4/${ip}/`)) : [a]))
    .filter((a) => addressKind(a) === 'public');
}
