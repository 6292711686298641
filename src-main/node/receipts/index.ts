export { encodeReceipt, RECEIPT_SIGNING_DOMAIN } from './encoding.js';
export {
  ReceiptError,
  SignedReceiptSchema,
  signReceipt,
  verifyReceipt,
  type ReceiptCheckCode,
  type ReceiptCheckFailure,
  type ReceiptErrorCode,
  type SignedReceipt,
} from './signed.js';
export {
  ReceiptChain,
  verifyChain,
  type ChainCheck,
  type ChainedReceipt,
  type ChainHead,
  type ReceiptFields,
} from './chain.js';
