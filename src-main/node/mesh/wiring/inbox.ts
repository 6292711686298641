// Every verified message a peer sends this node, gossip or direct, to the half of the round it
// concerns; what is returned answers a direct request.
import { offersOf, type MessageBody, type MessageType } from '../../../core/protocol/messages.js';
import type { MessageContext, VerifiedMessage } from '../../p2p/index.js';
import type { Following } from '../peers/following.js';
import type { PeerPreflights } from '../provider/peer-preflights.js';
import type { Provider } from '../provider/provider.js';
import type { Requester } from '../requester/requester.js';
import type { CircleSync } from '../../circles/index.js';

export interface Inbox {
  /** My peer id. */
  me: string;
  requester: Requester;
  provider: Provider;
  /** The commitments of the peers I follow (I trust them). */
  following: Following;
  /** Scenes peers without Blender ask me to read. */
  preflights: PeerPreflights;
  /** My circles' logs, gossiped, pushed and synced. */
  circles: CircleSync;
}

export async function answerMessage(
  inbox: Inbox,
  msg: VerifiedMessage,
  { via, from }: MessageContext,
): Promise<{ type: string; body: unknown } | undefined> {
  const { requester, provider } = inbox;
  const type = msg.type as MessageType;
  switch (type) {
    case 'commitment': {
      // By gossip, on its author's topic; or directly from its author, whom I answer `ack` if I follow it.
      const direct = via === 'direct';
      if (direct && msg.author !== from) return undefined;
      const commitment = inbox.following.take(msg.author, msg.body as MessageBody<'commitment'>, direct);
      if (commitment) provider.onCommitment(msg.author, commitment);
      return commitment && direct ? { type: 'ack', body: {} } : undefined;
    }
    case 'pull':
      return { type: 'units', body: requester.onPull(from, msg.body as MessageBody<'pull'>) };
    case 'offers':
      await requester.onOffers(from, offersOf((msg.body as MessageBody<'offers'>).groups, from, inbox.me));
      return { type: 'ack', body: {} };
    case 'acceptances':
      return { type: 'accepted', body: await provider.onAcceptances(from, msg.body as MessageBody<'acceptances'>) };
    case 'results':
      return { type: 'settlement', body: await requester.onResults(from, msg.body as MessageBody<'results'>) };
    case 'release':
      return { type: 'settlement', body: await requester.onRelease(from, msg.body as MessageBody<'release'>) };
    case 'progress':
      requester.onProgress(from, msg.body as MessageBody<'progress'>);
      return { type: 'ack', body: {} };
    case 'blender_preflight':
      return {
        type: 'blender_report',
        body: await inbox.preflights.answer(from, msg.body as MessageBody<'blender_preflight'>),
      };
    case 'settlement':
      await provider.applySettlement(from, msg.body as MessageBody<'settlement'>);
      return { type: 'ack', body: {} };
    case 'circle_entries': {
      // The refusals are said by the intake (its log, the author's penalty); a sender hears only the
      // ack. A malformed entry is held against the envelope's signer, who sent it.
      await inbox.circles.take(msg.author, msg.body as MessageBody<'circle_entries'>);
      return via === 'gossip' ? undefined : { type: 'ack', body: {} };
    }
    case 'circle_sync':
      return { type: 'circle_have', body: inbox.circles.answerSync(from, msg.body as MessageBody<'circle_sync'>) };
    case 'circle_want':
      return { type: 'circle_entries', body: inbox.circles.answerWant(from, msg.body as MessageBody<'circle_want'>) };
    case 'circle_have':
    case 'advert':
    case 'accepted':
    case 'units':
    case 'blender_report':
    case 'ack':
      break; // replies, and adverts: nothing to answer
  }
  return undefined;
}
