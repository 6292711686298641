// What happens to a node that several of its pieces act on, on one typed bus (the node's
// `events`): each piece subscribes itself where it is built, so nothing fans an event out by hand
// and no piece needs another that is built after it.
import { EventEmitter } from 'node:events';

export interface NodeEventMap {
  /** A peer connected: it may have lost what it took from me (a restart), or missed what I sent. */
  'peer.connected': [peer: string];
  'peer.disconnected': [peer: string];
  /** Something changed (a journal step, a peer connected): watchers go back to their shortest intervals. */
  wake: [];
  /** Power, load, settings or windows changed what I may offer. */
  'availability.changed': [];
  /** On battery with "pause on battery": running units are handed back. */
  'on-battery': [];
  /**
   * A job of mine completed (its every unit decided; a job with frames, once they are made) or was
   * cancelled: what waits on it (a workflow's step) looks now.
   */
  'job.ended': [jobId: string];
  /** Something in my commitment changed (units, slots, trust, sharing); `newJob` publishes at once. */
  'commitment.changed': [newJob: boolean];
}

export class NodeEvents extends EventEmitter<NodeEventMap> {
  constructor() {
    super({ captureRejections: false });
    this.setMaxListeners(32); // one a piece; tests build several nodes' pieces on one bus
  }
}
