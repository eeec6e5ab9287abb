import { defineCodes } from './define.js';

const PRINTER_TROUBLE = {
  ja: 'プリンターに問題が発生しました。店員にお知らせください。',
  en: 'There is a problem with the printer. Please ask a member of staff.',
} as const;
const DEVICE_TROUBLE = {
  ja: '機器に問題が発生しました。店員にお知らせください。',
  en: 'A device is not working. Please ask a member of staff.',
} as const;
const COIN_TROUBLE = {
  ja: '硬貨の処理に問題が発生しました。店員にお知らせください。',
  en: 'There is a problem handling coins. Please ask a member of staff.',
} as const;

/** Codes of the kiosk's devices: the PJL printer, the HID PIN pad, the ccTalk coin acceptor and hopper. */
export const DEVICE_ERRORS = defineCodes({
  DEVICE_NOT_FOUND: {
    meaning: 'The device path does not exist (not plugged in, wrong path).',
    resident: DEVICE_TROUBLE,
    operator: 'A device is missing; check its cable and the configured path.',
  },
  DEVICE_OPEN_FAILED: {
    meaning: 'The device exists but could not be opened (permissions, busy).',
    resident: DEVICE_TROUBLE,
    operator: 'A device could not be opened; check permissions (udev rule) and that nothing else holds it.',
  },
  DEVICE_DISCONNECTED: {
    meaning: 'The device went away while in use (cable pulled, port removed) or is not open.',
    resident: DEVICE_TROUBLE,
    operator: 'A device was disconnected; the driver reconnects when it comes back.',
  },
  DEVICE_WRITE_FAILED: {
    meaning: 'Bytes or a report could not be written to the device.',
    resident: DEVICE_TROUBLE,
    operator: 'Writing to a device failed; check the cable.',
  },
  PRINTER_PAPER_OUT: {
    meaning: 'The printer reports it is out of paper (PJL status 11xxx / 41xxx).',
    resident: PRINTER_TROUBLE,
    operator: 'Load A4 paper into the printer.',
  },
  PRINTER_PAPER_SHORT: {
    meaning:
      'Before payment: the tray is low (PJL tray-low status) and holds fewer sheets than the copies asked for.',
    resident: {
      ja: '用紙の残りが足りないため、ご希望の通数を印刷できません。店員にお知らせください。',
      en: 'There is not enough paper left for the copies you asked for. Please ask a member of staff.',
    },
    operator: 'Load A4 paper into the printer (the tray is low).',
  },
  PRINTER_COVER_OPEN: {
    meaning: 'The printer reports a cover open (PJL status 40021).',
    resident: PRINTER_TROUBLE,
    operator: 'Close the printer cover.',
  },
  PRINTER_JAM: {
    meaning: 'The printer reports a paper jam (PJL status 40022, 42xxx–44xxx).',
    resident: PRINTER_TROUBLE,
    operator: 'Clear the paper jam.',
  },
  PRINTER_OFFLINE: {
    meaning: 'The printer reports it is offline or halted for another reason.',
    resident: PRINTER_TROUBLE,
    operator: 'Put the printer online; check its display for the reason.',
  },
  PRINTER_GONE: {
    meaning: 'The printer is not connected (its port is gone) and did not come back in time.',
    resident: PRINTER_TROUBLE,
    operator: 'The printer is disconnected; check its cable and power.',
  },
  PRINTER_NOT_RESPONDING: {
    meaning: 'The printer did not answer a PJL ECHO or status request in time.',
    resident: PRINTER_TROUBLE,
    operator: 'The printer does not answer status requests; power-cycle it.',
  },
  PRINTER_TIMEOUT: {
    meaning: 'A job made no progress (no job-end report, or a fault not cleared) within the allowed time.',
    resident: PRINTER_TROUBLE,
    operator:
      'A print job timed out; the certificate was NOT printed. Check the printer and refund the resident.',
  },
  PRINTER_JOB_CANCELLED: {
    meaning: 'The job was cancelled (by the host or on the printer) before all pages were printed.',
    resident: PRINTER_TROUBLE,
    operator: 'A print job was cancelled; the certificate was not (completely) printed.',
  },
  PRINTER_JOB_INCOMPLETE: {
    meaning: 'The printer reported the job ended with fewer pages than were sent.',
    resident: PRINTER_TROUBLE,
    operator: 'A print job ended with missing pages; check the printer.',
  },
  PRINTER_BUSY: {
    meaning: 'A print was requested while another job is in progress.',
    resident: null,
    operator: 'Programming error: print jobs must be sent one at a time.',
  },
  PINPAD_BAD_REPORT: {
    meaning: 'The PIN pad sent an input report that is not an 8-byte boot keyboard report.',
    resident: null,
    operator: 'The PIN pad sent malformed reports; check the device model.',
  },
  PINPAD_PIN_INCOMPLETE: {
    meaning: 'Enter was pressed before 4 digits were typed, or the PIN was taken when incomplete.',
    resident: {
      ja: '暗証番号（数字4桁）を入力してください。',
      en: 'Please enter your 4-digit PIN.',
    },
    operator: 'The resident pressed Enter before typing 4 digits.',
  },
  COIN_NO_REPLY: {
    meaning: 'A ccTalk device did not answer a command (after retries).',
    resident: COIN_TROUBLE,
    operator: 'The coin acceptor or hopper does not answer; check its cable and power.',
  },
  COIN_BAD_FRAME: {
    meaning: 'A ccTalk reply had a bad checksum, wrong addresses or a bad length.',
    resident: COIN_TROUBLE,
    operator: 'Noise or a wrong device on the ccTalk line.',
  },
  COIN_NAK: {
    meaning: 'A ccTalk device answered NAK (or an unexpected header) to a command.',
    resident: COIN_TROUBLE,
    operator: 'A ccTalk device refused a command; check the device model and configuration.',
  },
  COIN_WRONG_DEVICE: {
    meaning: 'The device at the ccTalk address reports another equipment category.',
    resident: COIN_TROUBLE,
    operator: 'The wrong device is connected at a ccTalk address.',
  },
  COIN_EVENTS_LOST: {
    meaning: 'More than 5 coin events happened between two polls: some credits may be unknown.',
    resident: COIN_TROUBLE,
    operator: 'Coin events were lost; reconcile the cash box by hand.',
  },
  COIN_ACCEPTOR_JAM: {
    meaning: 'The coin acceptor reports a blocked sensor (coin jam).',
    resident: COIN_TROUBLE,
    operator: 'Clear the coin jam in the acceptor.',
  },
  COIN_PAYMENT_OPEN: {
    meaning: 'A payment was opened while another is open.',
    resident: null,
    operator: 'Programming error: one payment at a time.',
  },
  COIN_NO_PAYMENT: {
    meaning: 'A payment operation was requested with no payment open.',
    resident: null,
    operator: 'Programming error: no payment is open.',
  },
  COIN_PAYMENT_CANCELLED: {
    meaning: 'The payment was cancelled; inserted coins are returned as change.',
    resident: {
      ja: '取り消しました。投入された硬貨をお返しします。',
      en: 'Cancelled. Your coins are returned.',
    },
    operator: 'The resident cancelled the payment.',
  },
  HOPPER_EMPTY: {
    meaning: 'The hopper ran out of coins before paying all the change.',
    resident: {
      ja: 'おつりが不足しています。店員にお知らせください。',
      en: 'The machine could not pay all your change. Please ask a member of staff.',
    },
    operator: 'Refill the hopper; pay the resident the unpaid change by hand (amount in the kiosk log).',
  },
  HOPPER_JAM: {
    meaning: 'The hopper jammed while paying change.',
    resident: {
      ja: 'おつりを払い出せませんでした。店員にお知らせください。',
      en: 'The machine could not pay your change. Please ask a member of staff.',
    },
    operator: 'Clear the hopper jam; pay the resident the unpaid change by hand (amount in the kiosk log).',
  },
  HOPPER_BAD_AMOUNT: {
    meaning: 'Change was requested that the hopper cannot pay (not a multiple of its coin value).',
    resident: null,
    operator: 'Programming error: change must be a multiple of the hopper coin value.',
  },
});
