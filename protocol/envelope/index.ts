export { boxBefore, openSealed, sealTo, SEALED_VERSION, type UnsealResult } from './box.js';
export {
  openAnswer,
  openRequest,
  requestHash,
  sealAnswer,
  sealRequest,
  type CertRequestFields,
  type OpenAnswerResult,
  type OpenRequestResult,
  type ReplyKey,
} from './request.js';
