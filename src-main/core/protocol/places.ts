// Where a message type may arrive (messages.ts names each type's): by gossip on a topic its author
// may use, or on the direct protocol as a request or as a reply.

/** A type that names no place for an arrival is refused there. */
export interface Places {
  gossip?: (topic: string, author: string) => boolean;
  request?: true;
  reply?: true;
  /** A request's one reply type: a reply of another type is refused (`wrong_place`), never acted on. */
  answer?: string;
}
