import type { CashCheck, CoinPort, Failure, PrinterPort } from './ports.js';

/**
 * Everything a paid job needs, checked before a single coin is taken: the printer can print the copies
 * (ready: not out of paper, cover closed, no jam, connected), and the cash devices can take the fee
 * (the coin entry is there; which coins and notes need change the hoppers cannot pay). A port without a
 * check (an older adapter) is taken as ready.
 */
export async function checkBeforePayment(
  ports: { coin: CoinPort; printer: PrinterPort },
  copies: number,
  fee: number,
): Promise<CashCheck | Failure> {
  const printer = ports.printer.check
    ? await ports.printer.check(copies).catch(() => ({ ok: false as const, code: 'KIOSK_INTERNAL' }))
    : ({ ok: true } as const);
  if (!printer.ok) return printer;
  if (!ports.coin.check) return { ok: true, accepts: [], exactOnly: false };
  return ports.coin.check(fee).catch(() => ({ ok: false as const, code: 'KIOSK_INTERNAL' }));
}
