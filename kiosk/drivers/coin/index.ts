export {
  CoinUnit,
  FEE_PER_COPY_YEN,
  type CoinUnitOptions,
  type PaymentEvent,
  type PaymentResult,
  type ChangeResult,
  type HopperReport,
} from './coin-unit.js';
export { planChange, coinCount, type CoinStock } from './change-plan.js';
export { CoinAcceptor, yenOfCoinId, type CoinEvent } from './coin-acceptor.js';
export {
  Hopper,
  HOPPER_COIN_YEN,
  HOPPER_FLAG,
  HOPPERS,
  LEVEL_FLAG,
  type DispenseResult,
  type HopperLevel,
} from './hopper.js';
export { CcTalkBus, type BusResult, type BusFailure } from './cctalk-bus.js';
export {
  CcTalkDecoder,
  encodeFrame,
  simpleChecksum,
  ADDRESS,
  HEADER,
  type CcTalkFrame,
} from './cctalk-frame.js';
export { readCreditBuffer, eventsBetween, ACCEPTOR_ERROR, type AcceptorEvent } from './credit-events.js';
