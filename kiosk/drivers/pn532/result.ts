/** Codes the PN532 driver returns (documented in protocol/errors/card.ts). */
export type ReaderFailureCode =
  | 'READER_DISCONNECTED'
  | 'READER_TIMEOUT'
  | 'READER_NOT_PN532'
  | 'READER_NO_TYPE_B'
  | 'READER_PROTOCOL_ERROR';

export type CardFailureCode = 'CARD_NOT_PRESENT' | 'CARD_REMOVED' | 'CARD_READ_FAILED';

/** A bad peer gets a result, not an exception (docs/conventions.md §8). */
export type Result<T, C extends string = ReaderFailureCode> = ({ ok: true } & T) | { ok: false; code: C };
