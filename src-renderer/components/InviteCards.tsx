// How two people connect: "Invite someone" makes a one-line code to send them (copy it into a
// chat, or show its QR code), "Accept an invite" takes theirs. Each side chooses how much it trusts the other.
import { useState, type FormEvent } from 'react';
import type { MethodResult } from '../../src-main/core/api/contract.js';
import { Card } from './basics.js';
import { CopyText } from './CopyText.js';
import { Icon } from './Icon.js';
import { InviteQr } from './InviteQr.js';

const EXPIRIES: Array<[label: string, seconds: number]> = [
  ['1 hour', 3600],
  ['1 day', 86_400],
  ['7 days', 7 * 86_400],
];

function TrustInput({ value, onChange, testId }: { value: number; onChange: (v: number) => void; testId: string }) {
  return (
    <label className="inline-label">
      Trust{' '}
      <input
        type="number"
        min={0}
        max={1}
        step={0.1}
        value={value}
        onChange={(e) => onChange(Math.min(1, Math.max(0, Number(e.target.value))))}
        data-testid={testId}
      />
    </label>
  );
}

export function InviteCards({
  onCreate,
  onAccept,
}: {
  onCreate: (trust: number, expiresSeconds: number) => Promise<MethodResult<'invites.create'> | undefined>;
  onAccept: (code: string, trust: number) => Promise<MethodResult<'invites.accept'> | undefined>;
}) {
  const [trust, setTrust] = useState(1);
  const [expires, setExpires] = useState(86_400);
  const [invite, setInvite] = useState<MethodResult<'invites.create'> | null>(null);
  const [code, setCode] = useState('');
  const [acceptTrust, setAcceptTrust] = useState(1);
  const [busy, setBusy] = useState(false);
  const [met, setMet] = useState<MethodResult<'invites.accept'> | null>(null);

  const create = async () => {
    setBusy(true);
    setInvite((await onCreate(trust, expires)) ?? null);
    setBusy(false);
  };
  const accept = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMet(null);
    const accepted = await onAccept(code, acceptTrust);
    setBusy(false);
    if (accepted) {
      setMet(accepted);
      setCode('');
    }
  };

  return (
    <>
      <Card
        title="Invite someone"
        subtitle="Send them this code (in a chat, an email). Whoever uses it first connects to you, and you trust each other."
      >
        <div className="inline-form">
          <TrustInput value={trust} onChange={setTrust} testId="invite-trust" />
          <label className="inline-label">
            Valid for{' '}
            <select value={expires} onChange={(e) => setExpires(Number(e.target.value))} data-testid="invite-expires">
              {EXPIRIES.map(([label, seconds]) => (
                <option key={seconds} value={seconds}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={() => void create()}
            data-testid="invite-create"
          >
            <Icon name="plus" /> Make an invite code
          </button>
        </div>
        {invite && (
          <div className="invite-code">
            <CopyText text={invite.code} testId="invite-code" />
            <InviteQr text={invite.code} />
            <p className="form-note">
              Valid until {new Date(invite.expires_at).toLocaleString()}, once.
              {!invite.reachable &&
                ' Your node has no public or relayed address yet: this code works on your local network only.'}
            </p>
          </div>
        )}
      </Card>
      <Card title="Accept an invite" subtitle="Paste the code someone sent you.">
        <form className="inline-form" onSubmit={(e) => void accept(e)}>
          <input
            className="grow mono"
            type="text"
            placeholder="mesh-invite:…"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            aria-label="Invite code"
            data-testid="invite-accept-input"
            spellCheck={false}
          />
          <TrustInput value={acceptTrust} onChange={setAcceptTrust} testId="invite-accept-trust" />
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || code.trim() === ''}
            data-testid="invite-accept-button"
          >
            {busy ? 'Connecting…' : 'Accept'}
          </button>
        </form>
        {met && (
          <p className="form-note" data-testid="invite-accepted">
            Connected to {met.name ?? met.peer_id}
            {met.link ? ` (${met.link.kind})` : ''}. You trust each other now.
          </p>
        )}
      </Card>
    </>
  );
}
