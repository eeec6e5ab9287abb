export {
  NoteValidator,
  type NoteEvent,
  type NoteState,
  type NoteFaultCode,
  type NoteValidatorOptions,
} from './note-validator.js';
export { Id003Line, type LineResult, type LineFailure } from './id003-line.js';
export {
  COMMAND,
  STATUS,
  SYNC,
  crc16,
  encodeMessage,
  parseCurrencyAssign,
  Id003Decoder,
  type Id003Message,
  type Id003DecodeResult,
} from './id003-frame.js';
