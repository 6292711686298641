// Native notifications for what a person wants to hear about while the window is hidden: one of
// their jobs finished, a peer was caught returning a wrong result, and a peer refused to pay for
// one of theirs (a refund as rejected without its verdict saying so), someone accepted their
// invite, another member opened a proposal in one of their circles, and a circle's policy changed.
import { Notification } from 'electron';
import type { ApiEvent, ApiHandlers, EventFeed } from '../core/api/contract.js';
import { describe } from '../node/api/dispatch.js';

const NOTIFIED: ReadonlySet<ApiEvent['type']> = new Set([
  'job.completed',
  'peer.caught_lying',
  'peer.cheated',
  'invite.accepted',
  'circle.proposal_opened',
  'circle.policy_changed',
]);

/** Subscribe for new events only: a restart must not repeat old notifications. */
const NO_REPLAY = Number.MAX_SAFE_INTEGER;

/** Starts notifying; returns what stops it. */
export function notifyOnEvents(
  events: EventFeed,
  handlers: Pick<ApiHandlers, 'jobs.status' | 'peers.list' | 'circles.show' | 'status'>,
  log: (message: string) => void,
): () => void {
  if (!Notification.isSupported()) return () => {};

  const circleName = async (circleId: string) => (await handlers['circles.show']({ circle_id: circleId })).circle.name;

  async function notification(event: ApiEvent): Promise<{ title: string; body: string } | undefined> {
    const { data } = event;
    if (event.type === 'circle.proposal_opened' && typeof data.circle === 'string') {
      // My own proposal opened where I proposed it: nothing to tell me.
      if (data.author === (await handlers.status({})).peer_id) return undefined;
      const about = typeof data.description === 'string' && data.description !== '' ? `: ${data.description}` : '';
      return { title: 'New proposal', body: `New proposal in ${await circleName(data.circle)}${about}` };
    }
    if (event.type === 'circle.policy_changed' && typeof data.circle === 'string' && typeof data.fields === 'string') {
      const fields = data.fields
        .split(',')
        .map((field) => field.trim())
        .join(', ');
      return { title: 'Policy changed', body: `${await circleName(data.circle)}'s policy changed: ${fields}` };
    }
    if (event.type === 'job.completed' && typeof data.job_id === 'string') {
      const { job } = await handlers['jobs.status']({ job_id: data.job_id, units: false });
      return { title: 'Job finished', body: `${job.name}: ${job.units_verified} of ${job.units_total} units verified` };
    }
    if (event.type === 'invite.accepted' && typeof data.peer === 'string') {
      const who = typeof data.name === 'string' && data.name !== '' ? data.name : `peer …${data.peer.slice(-8)}`;
      return { title: 'Invite accepted', body: `${who} accepted your invite: you are connected and trust each other.` };
    }
    if ((event.type === 'peer.caught_lying' || event.type === 'peer.cheated') && typeof data.peer === 'string') {
      const peer = (await handlers['peers.list']({})).peers.find((p) => p.peer_id === data.peer);
      const who = peer?.name ?? `peer …${data.peer.slice(-8)}`;
      return event.type === 'peer.caught_lying'
        ? {
            title: 'A peer returned a wrong result',
            body: `${who} disagreed with the verified result; its reputation drops.`,
          }
        : {
            title: 'A peer refused to pay',
            body: `${who} refunded a result of yours as rejected without a verdict against it; it gets no more work until you set its trust again.`,
          };
    }
    return undefined;
  }

  return events.subscribe(NO_REPLAY, (event) => {
    if (!NOTIFIED.has(event.type)) return;
    notification(event).then(
      (shown) => shown && new Notification(shown).show(),
      (err: unknown) => log(`notification for ${event.type} failed: ${describe(err)}`),
    );
  });
}
