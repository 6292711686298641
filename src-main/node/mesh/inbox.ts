// Every verified message a peer sends this node, gossip or direct, to the half of the round it
// concerns; what is returned answers a direct request.
import type { MessageBody, MessageType } from '../../core/protocol/messages.js';
import type { ComputeCommitment } from '../../core/schemas/index.js';
import type { VerifiedMessage } from '../p2p/index.js';
import type { Provider } from './provider.js';
import type { Requester } from './requester.js';

export interface Inbox {
  requester: Requester;
  provider: Provider;
  /** The latest commitment of each peer I follow. */
  commitments: Map<string, ComputeCommitment>;
  /** Whether I follow `peer`'s commitments (I trust it). */
  follows(peer: string): boolean;
}

export async function answerMessage(
  inbox: Inbox,
  msg: VerifiedMessage,
  from: string,
): Promise<{ type: string; body: unknown } | undefined> {
  const { requester, provider } = inbox;
  const type = msg.type as MessageType;
  switch (type) {
    case 'commitment': {
      const commitment = msg.body as MessageBody<'commitment'>;
      if (commitment.peer_id !== msg.author || !inbox.follows(msg.author)) return undefined;
      inbox.commitments.set(msg.author, commitment);
      provider.onCommitment(msg.author, commitment);
      return undefined;
    }
    case 'offers':
      await requester.onOffers(from, (msg.body as MessageBody<'offers'>).offers);
      return { type: 'ack', body: {} };
    case 'acceptances':
      return { type: 'accepted', body: await provider.onAcceptances(from, msg.body as MessageBody<'acceptances'>) };
    case 'result':
      return { type: 'settlement', body: await requester.onResult(from, msg.body as MessageBody<'result'>) };
    case 'release':
      return { type: 'settlement', body: await requester.onRelease(from, msg.body as MessageBody<'release'>) };
    case 'settlement':
      await provider.applySettlement(from, msg.body as MessageBody<'settlement'>);
      return { type: 'ack', body: {} };
    case 'advert':
    case 'accepted':
    case 'ack':
      break; // replies, and adverts: nothing to answer
  }
  return undefined;
}
