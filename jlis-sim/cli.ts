import { parseCliArgs } from '../common/cli-args.js';
import { Jlis, REVOCATION_REASONS, type RevocationReason } from './jlis.js';

const USAGE = `npm run jlis -- <command> [--state-dir DIR]     (default DIR: $JLIS_STATE_DIR or .state/sim/jlis)

  list                                   the issued cards: serial, resident label, municipality, status
  revoke <resident|serial> --reason R    revokes the card (R: ${REVOCATION_REASONS.join(', ')}) and republishes the CRL
  reissue <resident> --municipality C    a new card (new key, certificate, serial) for the resident
  crl                                    republishes the CRL now (a fresh nextUpdate)`;

/** The J-LIS stand-in's command line. Prints identifiers only (serials, fixture labels), never personal data. */
export async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv, {
      'state-dir': { type: 'string' },
      reason: { type: 'string' },
      municipality: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const [command, target] = args.positionals;
  if (args.values.help || command === undefined) {
    process.stdout.write(USAGE + '\n');
    return command === undefined && !args.values.help ? 2 : 0;
  }
  const jlis = await Jlis.open(
    args.values['state-dir'] ?? process.env['JLIS_STATE_DIR'] ?? '.state/sim/jlis',
  );
  switch (command) {
    case 'list':
      for (const [serial, e] of jlis.cards())
        process.stdout.write(
          JSON.stringify({
            serial,
            resident: e.resident,
            municipality: e.municipality,
            revoked: e.revoked ?? null,
          }) + '\n',
        );
      return 0;
    case 'revoke': {
      const reason = args.values.reason as RevocationReason | undefined;
      if (target === undefined || reason === undefined || !REVOCATION_REASONS.includes(reason)) {
        process.stderr.write(`revoke: a resident or serial and --reason (${REVOCATION_REASONS.join('|')})\n`);
        return 2;
      }
      const serial = await jlis.revoke(target, reason);
      if (serial === undefined) {
        process.stderr.write('JLIS_UNKNOWN_CARD: no such card\n');
        return 1;
      }
      process.stdout.write(JSON.stringify({ revoked: serial, reason }) + '\n');
      return 0;
    }
    case 'reissue': {
      const municipality = args.values.municipality;
      if (target === undefined || municipality === undefined || !/^\d{6}$/.test(municipality)) {
        process.stderr.write('reissue: a resident label and --municipality <6 digits>\n');
        return 2;
      }
      const card = await jlis.reissue({ id: target, municipality });
      process.stdout.write(JSON.stringify({ issued: card.serial }) + '\n');
      return 0;
    }
    case 'crl':
      await jlis.publishCrl();
      process.stdout.write(JSON.stringify({ published: true }) + '\n');
      return 0;
    default:
      process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
