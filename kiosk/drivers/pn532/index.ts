export {
  Pn532Reader,
  CMD as PN532_CMD,
  type Pn532ReaderOptions,
  type Pn532Firmware,
  type Pn532Timeouts,
  type TypeBTarget,
  type ReaderState,
} from './reader.js';
export { Pn532Link, type CommandOptions, type LinkStats } from './link.js';
export { FrameDecoder as Pn532FrameDecoder, type DecodedFrame as Pn532DecodedFrame } from './decoder.js';
export * as pn532Frame from './frame.js';
export type { ReaderFailureCode, CardFailureCode, Result as ReaderResult } from './result.js';
