// Receipts (node/receipts): a signed receipt or a chain of them as a peer hands them over, and,
// by the first byte, receipt fields signed here as the author and sent through JSON, which must
// then verify: whatever the author could sign, every peer reads back as the same receipt.
import { ReceiptError, signReceipt, verifyChain, verifyReceipt } from '../../../src-main/node/receipts/index.js';
import type { Receipt } from '../../../src-main/core/schemas/index.js';
import { check, fixedIdentity, refusesWith, roundTrip } from './expect.js';

const author = await fixedIdentity();

export async function fuzz(data: Buffer): Promise<void> {
  if (data.byteLength === 0) return;
  let value: unknown;
  try {
    value = JSON.parse(data.subarray(1).toString('utf8'));
  } catch {
    return;
  }
  if (data[0]! & 1) {
    if (typeof value !== 'object' || value === null) return;
    const receipt = { ...value, author: author.peerId } as Receipt;
    await refusesWith([ReceiptError], async () => {
      const { signed, cid } = await signReceipt(author, receipt);
      const verified = await verifyReceipt(roundTrip(signed), cid);
      check(verified.ok, `a receipt its author signed fails on the way: ${verified.ok ? '' : verified.error}`);
    });
    return;
  }
  const verdict = Array.isArray(value) ? await verifyChain(value) : await verifyReceipt(value);
  if (!verdict.ok) check(typeof verdict.error === 'string' && verdict.code.length > 0, 'a failure without a code');
}
