// The requester's side of a remote preflight (docs/BLENDER.md, "A requester without Blender: the
// preflight"): a scene read by a peer, for a requester without Blender. The scene is stored as a
// blob of mine (a job's units name it as their module anyway), and the peers I trust that
// advertise a Blender algorithm and trust me are asked in turn (`blender_preflight`, with longer
// than a message's usual wait: the provider fetches the scene and starts Blender) until one sends
// its report. The reply is checked and judged here (core/blender/remote-preflight.ts), as my own
// preflight's would be; a refusal, a malformed reply or none at all moves on to the next peer,
// while a scene its Blender could not load is the scene's fault and ends the asking.
import { blenderSharers } from '../../../core/blender/algorithm.js';
import { readPeerReply, type SceneRead } from '../../../core/blender/remote-preflight.js';
import type { NodeContext } from '../context/node-context.js';
import type { SceneToRead } from '../../blender/unit.js';

/** How long one peer has to fetch the scene, start Blender and read it (its preflight alone may take 30 s). */
const PEER_PREFLIGHT_MS = 120_000;

export async function askPeersToRead(
  ctx: Pick<NodeContext, 'me' | 'state' | 'commitments' | 'blobs' | 'send' | 'now' | 'log'>,
  scene: SceneToRead,
  whyNotHere: string,
): Promise<SceneRead> {
  const noneAnswered = (why: string): SceneRead => ({
    ok: false,
    reason: `no Blender here (${whyNotHere}), and no trusted peer sharing Blender answered a preflight: ${why}`,
  });
  const peers = blenderSharers(ctx.commitments, ctx.me, (peer) => ctx.state.effectiveTrustIn(peer, ctx.now()) > 0);
  if (peers.length === 0) return noneAnswered('none shares Blender with me');
  const cid = await ctx.blobs.put(scene.scene);
  const request = { cid, bytes: scene.scene.byteLength, file: scene.params.file, zip: scene.params.zip };
  const refusals: string[] = [];
  for (const peer of peers) {
    const reading = readPeerReply(await ctx.send(peer, 'blender_preflight', request, { timeoutMs: PEER_PREFLIGHT_MS }));
    switch (reading.kind) {
      case 'read': {
        const { report, verdict, algorithm } = reading;
        return { ok: true, report, verdict, algorithm, by: peer };
      }
      case 'unreadable':
        return { ok: false, reason: `the scene could not be read (by ${peer}'s Blender): ${reading.reason}` };
      case 'refused':
        ctx.log(`${peer} did not read the scene: ${reading.reason}`);
        refusals.push(`${peer}: ${reading.reason}`);
    }
  }
  return noneAnswered(refusals.join('; '));
}
