// A libp2p TCP connection's writes of one turn go to the kernel as one. Noise hands the connection
// each frame as two buffers (its 2-byte length, then the ciphertext), and the connection writes
// each buffer with a socket.write of its own, so a frame cost two system calls, and a request
// (its frames, the window updates, the close) several: on loopback a write costs the sender the
// kernel's whole delivery (~0.2 ms in a profile on the test VM; in strace of `mesh_overhead`, 580
// of the requester's 1,635 writes were such 2-byte lengths). Corked
// for the rest of the turn, they leave as one writev (Node's pattern for this), and a write over
// the socket's buffer still answers false, so backpressure is as before.
import { Socket } from 'node:net';
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface';

/** The connection encrypter `factory` makes, handed each TCP connection with its writes corked. */
export function corkedWrites<Components, Encrypter extends ConnectionEncrypter>(
  factory: (components: Components) => Encrypter,
): (components: Components) => Encrypter {
  return (components) => {
    const encrypter = factory(components);
    const secureInbound = encrypter.secureInbound.bind(encrypter);
    const secureOutbound = encrypter.secureOutbound.bind(encrypter);
    encrypter.secureInbound = (connection, options) => secureInbound(corked(connection), options);
    encrypter.secureOutbound = (connection, options) => secureOutbound(corked(connection), options);
    return encrypter;
  };
}

/**
 * The connection, its sendData corking its socket until the end of the turn; a connection that is
 * not libp2p's TCP one (a relayed connection is a stream of another) is left as it is.
 */
export function corked<Connection extends MessageStream>(connection: Connection): Connection {
  const tcp = connection as Connection & { socket?: unknown; sendData?: unknown };
  const { socket, sendData } = tcp;
  if (!(socket instanceof Socket) || typeof sendData !== 'function') return connection;
  let corkedNow = false;
  tcp.sendData = (...args: unknown[]) => {
    if (!corkedNow) {
      corkedNow = true;
      socket.cork();
      process.nextTick(() => {
        corkedNow = false;
        socket.uncork();
      });
    }
    return sendData.apply(connection, args);
  };
  return connection;
}
