// The thread that encodes a rendered frame as a PNG (png-thread.ts runs it): 28–67 ms for 640×360
// and 0.5 s for 3840×2160 on the test VM, that the node's main thread would otherwise hold while
// its UI and its peers wait. At the lowest CPU priority, as the unit threads: nobody waits on it
// interactively.
import { encode } from 'fast-png';
import { lowerThisThreadsPriority } from '../exec/thread-priority.js';

lowerThisThreadsPriority();

export interface PngTask {
  width: number;
  height: number;
  /** The frame's pixels, RGBA, 8 bits a channel, moved (not copied) to this thread. */
  rgba: Uint8Array;
}

/** The PNG, copied back (a few hundred KB; the frame's pixels, ten times that, were moved here). */
export default function encodePng({ width, height, rgba }: PngTask): Uint8Array {
  return encode({ width, height, data: rgba, channels: 4, depth: 8 });
}
