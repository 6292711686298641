// Invite codes (node/invites/code.ts), pasted by a person from a chat: `mesh-invite:` and the
// base64url of one dag-cbor map, signed by the inviter. By the first byte, the rest is the code's
// text, or the map's bytes to be put in a code (so the fuzzer mutates the CBOR, not its base64).
// The code decodes to a checked, current invite or throws InviteError.
import { INVITE_PREFIX } from '../../../src-main/core/reach/invite.js';
import { InviteError, decodeInvite } from '../../../src-main/node/invites/code.js';
import { check, FUZZ_NOW, refusesWith } from './expect.js';

export async function fuzz(data: Buffer): Promise<void> {
  if (data.byteLength === 0) return;
  const rest = data.subarray(1);
  const code = data[0]! & 1 ? rest.toString('utf8') : INVITE_PREFIX + rest.toString('base64url');
  await refusesWith([InviteError], async () => {
    const invite = await decodeInvite(code, FUZZ_NOW);
    check(invite.expires * 1000 > FUZZ_NOW, 'an expired invite passed');
  });
}
