import { createServer } from 'node:http';
import { createLogger } from '../../../common/log.js';
import { startVrs, type VrsOptions } from '../../../vrs-sim/start.js';

/**
 * The VRS stand-in in its own process for the fault suite (so it can be SIGKILLed and restarted): the same
 * `startVrs` as `npm start` (JPKI with the simulators' J-LIS folder, which `npm run vrs` does not take), with
 * its options as JSON in `FAULT_VRS`. Prints one JSON line, `{ ...info, inspect }`: `inspect` is a loopback
 * address where the test reads the issuance records (`GET /issuance`: request ids, outcomes and codes; no
 * personal data), as the embedded database belongs to this process alone. Logs JSON lines on stderr.
 */
const options = JSON.parse(process.env['FAULT_VRS'] ?? '{}') as VrsOptions;
const vrs = await startVrs({ ...options, log: createLogger('vrs', (l) => process.stderr.write(l + '\n')) });
const inspect = createServer((req, res) => {
  if (req.url !== '/issuance') {
    res.writeHead(404).end();
    return;
  }
  vrs.db
    .query<{ request_id: string; outcome: string; code: string | null; kiosk_id: string | null }>(
      'SELECT request_id, outcome, code, kiosk_id FROM vrs_issuance ORDER BY request_id',
    )
    .then((r) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r.rows));
    })
    .catch((err: unknown) => {
      res.writeHead(500).end(String(err instanceof Error ? err.message : err));
    });
});
await new Promise<void>((resolve) => inspect.listen(0, '127.0.0.1', resolve));
const address = inspect.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;
process.stdout.write(JSON.stringify({ ...vrs.info, inspect: `http://127.0.0.1:${port}` }) + '\n');
const stop = () => {
  inspect.close();
  vrs
    .stop()
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
