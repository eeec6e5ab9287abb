import { CliError, runCli } from './cli.js';
import { VrsTopologyError } from './topology.js';

/**
 * `npm run vrs -- [command]`: the VRS stand-in's process entry. `serve` (the default) prints one JSON line
 * on stdout — `{ lgwan, jwks, issuer, identityPublicKey, boxPublicKey }` — and logs JSON lines on stderr;
 * Ctrl-C stops it. See `vrs-sim/README.md` and `npm run vrs -- --help`.
 */
const readStdin = async () => {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

try {
  const result = await runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
    readStdin,
  });
  if (typeof result === 'number') process.exit(result);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await result.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (err) {
  if (err instanceof VrsTopologyError) {
    process.stderr.write(`vrs: REFUSING TO START: ${err.code}: ${err.message}\n`);
    process.exit(3);
  }
  if (err instanceof CliError) {
    process.stderr.write(`vrs: ${err.code}: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
