export { PinPad, LED, type PinPadEvent, type PinPadOptions } from './pinpad.js';
export { PinBuffer, PIN_LENGTH } from './pin-buffer.js';
export {
  BootKeyboardDecoder,
  encodeBootReport,
  keyOfUsage,
  usageOfDigit,
  USAGE,
  BOOT_REPORT_LENGTH,
  type PinPadKey,
  type ReportChange,
} from './boot-report.js';
