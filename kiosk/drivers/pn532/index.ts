export {
  Pn532Reader,
  CMD,
  type Pn532ReaderOptions,
  type Pn532Firmware,
  type Pn532Timeouts,
  type TypeBTarget,
  type ReaderState,
} from './reader.js';
export { Pn532Link, type CommandOptions, type LinkStats } from './link.js';
export { FrameDecoder, type DecodedFrame } from './decoder.js';
export * from './frame.js';
export type { ReaderFailureCode, CardFailureCode, Result } from './result.js';
