// The thread that encodes a rendered frame as a PNG (png-thread.ts runs it): ~10 ms for 640×360 on
// the test VM, that the node's main thread would otherwise hold while its UI and its peers wait. At
// the lowest CPU priority, as the unit threads: nobody waits on it interactively.
import { lowerThisThreadsPriority } from '../../exec/thread-priority.js';
import { encodeFramePng } from '../../render/png.js';

lowerThisThreadsPriority();

export interface PngTask {
  width: number;
  height: number;
  /** The frame's pixels, RGBA, 8 bits a channel, moved (not copied) to this thread. */
  rgba: Uint8Array;
}

/** The PNG, copied back (a few hundred KB; the frame's pixels, ten times that, were moved here). */
export default function encodePng({ width, height, rgba }: PngTask): Uint8Array {
  return encodeFramePng(width, height, rgba);
}
