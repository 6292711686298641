// Events the node's state reads and no table derives from: what it knows about peers and about
// its own availability and settings (the journal keeps them; the state folds them).
export function stateOnlyProjections() {
  return {
    'peer.seen'(): void {},
    'trust.set'(): void {},
    'slot.put'(): void {},
    'slot.removed'(): void {},
    'sharing.set'(): void {},
    'peer.penalized'(): void {},
    'peer.pardoned'(): void {},
    'price.set'(): void {},
    'window.put'(): void {},
    'window.removed'(): void {},
    'settings.set'(): void {},
    'policies.set'(): void {},
  };
}
