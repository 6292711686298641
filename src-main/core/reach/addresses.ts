// What a multiaddr says about reaching a node: relayed or direct, and for a direct one whether its
// IP is public (reachable from anywhere), private (a LAN, behind a router) or loopback. Text only:
// the node passes multiaddrs as strings.

export type AddressKind = 'relayed' | 'public' | 'private' | 'loopback' | 'other';

const IP4 = /^\/ip4\/(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/|$)/;
const IP6 = /^\/ip6\/([0-9a-fA-F:.]+)(\/|$)/;

export function addressKind(address: string): AddressKind {
  const circuit = address.indexOf('/p2p-circuit');
  // A relay reached at its loopback address is no way in for anyone on another machine.
  if (circuit >= 0) return addressKind(address.slice(0, circuit)) === 'loopback' ? 'loopback' : 'relayed';
  const v4 = IP4.exec(address);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 127) return 'loopback';
    const isPrivate =
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127);
    return isPrivate ? 'private' : 'public';
  }
  const v6 = IP6.exec(address);
  if (v6) {
    const ip = v6[1]!.toLowerCase();
    if (ip === '::1') return 'loopback';
    if (ip === '::' || /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip)) return 'private';
    return 'public';
  }
  return 'other';
}

/** A node is reachable from anywhere when it announces a direct address on a public IP. */
export function isReachable(addresses: readonly string[]): boolean {
  return addresses.some((a) => addressKind(a) === 'public');
}

const ORDER: Record<AddressKind, number> = { public: 0, relayed: 1, private: 2, other: 3, loopback: 4 };

/**
 * The addresses worth putting in an invite, best first: public, then relayed, then private (a
 * friend on the same LAN); loopback only for a node that has nothing else (an invite on one
 * machine). Each loses a trailing /p2p/<peer> (the code names the peer once).
 */
export function inviteAddresses(addresses: readonly string[], peer: string, max: number): string[] {
  const suffix = `/p2p/${peer}`;
  const bare = [...new Set(addresses.map((a) => (a.endsWith(suffix) ? a.slice(0, -suffix.length) : a)))];
  const beyond = bare.filter((a) => addressKind(a) !== 'loopback');
  return (beyond.length > 0 ? beyond : bare)
    .sort((x, y) => ORDER[addressKind(x)] - ORDER[addressKind(y)])
    .slice(0, max);
}
