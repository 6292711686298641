export { encodeDagCbor, encodeReceipt, RECEIPT_SIGNING_DOMAIN } from './encoding.js';
export {
  ReceiptError,
  signReceipt,
  verifyCheckedReceipt,
  verifyReceipt,
  type ReceiptCheckCode,
  type ReceiptCheckFailure,
  type SignedReceipt,
} from './signed.js';
export { ReceiptChain, verifyChain, type ChainedReceipt, type ReceiptFields } from './chain.js';
