import { defineCodes } from './define.js';

const NOTE_TROUBLE = {
  ja: '紙幣の処理に問題が発生しました。店員にお知らせください。',
  en: 'There is a problem handling notes. Please ask a member of staff.',
} as const;

/** Codes of the ID-003 note validator and of the checks made before money is taken. */
export const MONEY_ERRORS = defineCodes({
  NOTE_NO_REPLY: {
    meaning: 'The note validator did not answer an ID-003 message (after retries).',
    resident: NOTE_TROUBLE,
    operator: 'The note validator does not answer; check its cable, power and the 9600 8E1 line settings.',
  },
  NOTE_BAD_FRAME: {
    meaning: 'An ID-003 message had a bad CRC or length, or the validator reported a communication error.',
    resident: NOTE_TROUBLE,
    operator: 'Noise on the note validator line, or a validator that is not ID-003.',
  },
  NOTE_JAM: {
    meaning: 'The note validator reports a note jammed in the acceptor or the stacker.',
    resident: NOTE_TROUBLE,
    operator: 'Clear the note jam; a note that was credited is in the cash box.',
  },
  NOTE_CASH_BOX_FULL: {
    meaning: 'The note validator reports its cash box (stacker) full: no note is taken.',
    resident: NOTE_TROUBLE,
    operator: 'Empty the note cash box.',
  },
  NOTE_CASH_BOX_OPEN: {
    meaning: 'The note validator reports its cash box (stacker) removed or open.',
    resident: NOTE_TROUBLE,
    operator: 'Put the note cash box back.',
  },
  NOTE_FAILURE: {
    meaning: 'The note validator reports a failure or a cheating attempt, or credited a note it never held.',
    resident: NOTE_TROUBLE,
    operator: 'The note validator needs service; reconcile the cash box by hand.',
  },
});
