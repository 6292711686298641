// The provider's side of a remote preflight (docs/BLENDER.md, "A requester without Blender: the
// preflight"): a peer without Blender asks me to read its scene. Judged as its Blender units are
// (blender-gate.ts: sharing on, its trust at my threshold, not convicted, a working Blender), a
// refusal says why and runs nothing. One at a time per requester: a second while its first runs is
// refused `busy`, so that no peer queues Blender starts on me. The scene is fetched from the
// requester (its declared size the cap, itself at most the scene cap: the schema), held in memory
// only, and read by the same preflight my units' scenes get (the probe's: a scene read a moment
// ago costs no second Blender start).
import type { BlenderPreflightRequest, BlenderReportBody } from '../../../core/blender/remote-preflight.js';
import { MESSAGE_TYPES } from '../../../core/protocol/messages.js';
import { blobFromHolders, type NodeContext } from '../context/node-context.js';
import { preflightRefusal } from './blender-gate.js';

export class PeerPreflights {
  /** The requesters whose preflight runs now. */
  readonly #running = new Set<string>();

  constructor(
    private readonly ctx: Pick<NodeContext, 'state' | 'blender' | 'blobs' | 'fetchBlob' | 'signal' | 'log'>,
  ) {}

  /** My answer to `requester`'s `blender_preflight`. */
  async answer(requester: string, request: BlenderPreflightRequest): Promise<BlenderReportBody> {
    const install = this.ctx.blender?.sharedInstall();
    const refusal = preflightRefusal(this.ctx.state, requester, install?.algorithm);
    if (refusal !== undefined || !install || !this.ctx.blender) {
      this.ctx.log(`not reading ${requester}'s scene: ${refusal ?? 'no Blender here'}`);
      return { refused: refusal ?? 'no Blender here' };
    }
    if (this.#running.has(requester)) return { refused: 'busy: a preflight of yours is running here' };
    this.#running.add(requester);
    try {
      const { cid, bytes, file, zip } = request;
      const scene = await blobFromHolders(this.ctx, cid, [requester], bytes, false);
      if (!scene) return { refused: `I could not fetch the scene ${cid} from you` };
      const preflight = await this.ctx.blender.preflight(install.path, { scene, params: { file, zip } });
      if (!preflight.ok) return { unreadable: preflight.reason.slice(0, 1024) };
      const reply = { report: preflight.report, algorithm: install.algorithm };
      const size = Buffer.byteLength(JSON.stringify(reply));
      if (size > MESSAGE_TYPES.blender_report.maxBytes)
        return { unreadable: `its report is ${size} bytes, more than a reply carries` };
      return reply;
    } finally {
      this.#running.delete(requester);
    }
  }
}
