import { ZodError } from 'zod';
import { configFromEnv } from './env-config.js';
import { RelayError } from './errors.js';
import { startRelay } from './relay.js';
import { TopologyError } from './topology.js';

/**
 * `npm run relay`: starts one relay process from RELAY_CONFIG / environment variables (see README) and
 * prints one JSON line: `{ "kiosk", "enroll", "ops", "identityPublicKey" }`. Stops cleanly on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  let relay;
  try {
    relay = await startRelay(configFromEnv());
  } catch (err) {
    if (err instanceof ZodError) {
      const fields = err.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
      process.stderr.write(`relay: bad configuration: ${fields}\n`);
      process.exit(2);
    }
    if (err instanceof TopologyError) {
      // Loud: every problem on stderr (an alert per problem is already in the database and the webhook).
      process.stderr.write(`relay: REFUSING TO START: the topology is not what the configuration says\n`);
      for (const p of err.problems) process.stderr.write(`relay:   ${p.code}: ${p.message}\n`);
      process.exit(3);
    }
    if (err instanceof RelayError && err.code === 'RELAY_CONFIG_INVALID') {
      process.stderr.write(`relay: bad configuration: ${err.code}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  process.stdout.write(JSON.stringify(relay.info) + '\n');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    relay
      // The process exits next: the operating system closes the kiosk sessions at once.
      .stop({ exiting: true })
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A parent that goes away (tests, npm start) takes the relay with it.
  process.on('disconnect', stop);
}

await main();
