// Peers and trust: who I know, how much I trust each (which is what they may use of my machine),
// adding a peer by its address, and the rules that narrow who may use my machine (policies).
import { useState, type FormEvent } from 'react';
import { useActions, useMesh } from '../app/store-context.js';
import { Card, EmptyState, Loading, PageHeader } from '../components/basics.js';
import { Icon } from '../components/Icon.js';
import { InviteCards } from '../components/InviteCards.js';
import { PeerTable } from '../components/PeerTable.js';
import { PolicyCard } from '../components/PolicyCard.js';
import { shortPeerId } from '../format.js';

export function PeersPage() {
  const peers = useMesh((s) => s.peers);
  const policies = useMesh((s) => s.status?.policies ?? null);
  const { addPeer, setTrust, pardon, setPolicies, createInvite, acceptInvite } = useActions();
  const [address, setAddress] = useState('');
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (address.trim() === '') return;
    setAdding(true);
    setAdded(null);
    const peerId = await addPeer(address);
    setAdding(false);
    if (peerId) {
      setAdded(peerId);
      setAddress('');
    }
  };

  const permitted = peers?.filter((p) => p.trust_mine > 0).length ?? 0;
  // oxlint-disable-next-line react/purity -- the ages are shown as of this render
  const nowMs = Date.now();
  return (
    <div className="page" data-testid="page-peers">
      <PageHeader
        title="Peers & trust"
        subtitle={peers ? `${peers.length} known · ${permitted} permitted to use this machine` : undefined}
      />
      <InviteCards onCreate={createInvite} onAccept={acceptInvite} />
      <Card title="Add a peer" subtitle="Paste the address another node listens on (meshctl status shows it there).">
        <form className="inline-form" onSubmit={(e) => void submit(e)}>
          <input
            className="grow mono"
            type="text"
            placeholder="/ip4/192.168.1.20/tcp/4001/p2p/12D3KooW…"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            aria-label="Peer address"
            data-testid="add-peer-input"
            spellCheck={false}
          />
          <button
            type="submit"
            className="button button-primary"
            disabled={adding || address.trim() === ''}
            data-testid="add-peer-button"
          >
            <Icon name="plus" /> {adding ? 'Connecting…' : 'Add peer'}
          </button>
        </form>
        {added && (
          <p className="form-note">
            Connected to {shortPeerId(added)}. Give it some trust below so it may use your machine.
          </p>
        )}
      </Card>

      <Card
        title="Peers"
        subtitle="Trust is the permit: a peer at 0 gets nothing from your machine. The others are served in turn, not in shares: peers who trust you back first, then the rest, the most trusted first (your trust times their track record)."
      >
        {peers === null ? (
          <Loading what="peers" />
        ) : peers.length === 0 ? (
          <EmptyState icon="peers" title="No peers yet">
            Nodes on your local network show up here by themselves. To reach one elsewhere, add it by its address above,
            then set how much you trust it.
          </EmptyState>
        ) : (
          <PeerTable peers={peers} nowMs={nowMs} onTrust={setTrust} onPardon={pardon} />
        )}
      </Card>

      {policies !== null && <PolicyCard policies={policies} peers={peers ?? []} onSave={setPolicies} />}
    </div>
  );
}
