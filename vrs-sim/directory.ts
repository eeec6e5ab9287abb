import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from '../common/log.js';
import type { CertificateIssuer } from './certs/issuer.js';
import type { TlsMaterial } from './certs/pki.js';

const KID = /^[A-Za-z0-9_-]{43}$/;

/**
 * The public key directory, served at the issuer URL's path (`/issuer`): only public data.
 *   GET /issuer/.well-known/jwks.json        SHC keys (active and retired), CORS open
 *   GET /issuer/.well-known/crl/<kid>.json   revoked rids of one key, CORS open
 *   GET /issuer/vds-nc/signer.pem, csca.pem  VDS-NC signer certificate and the stand-in's CSCA
 * Anything else: 404 with a code; errors never leak internals.
 */
export function createDirectoryApp(issuer: CertificateIssuer, log?: Logger): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    log?.error('directory.error', { code: 'VRS_UNAVAILABLE', error: err.name });
    return c.json({ error: { code: 'VRS_UNAVAILABLE' } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND' } }, 404));
  app.use('/issuer/.well-known/*', async (c, next) => {
    await next();
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'public, max-age=60');
  });
  app.get('/issuer/.well-known/jwks.json', async (c) => c.json(await issuer.jwks()));
  app.get('/issuer/.well-known/crl/:file', async (c) => {
    const file = c.req.param('file');
    const kid = file.endsWith('.json') ? file.slice(0, -5) : '';
    if (!KID.test(kid)) return c.json({ error: { code: 'NOT_FOUND' } }, 404);
    const crl = await issuer.crl(kid);
    return crl === undefined ? c.json({ error: { code: 'NOT_FOUND' } }, 404) : c.json(crl);
  });
  app.get('/issuer/vds-nc/signer.pem', (c) =>
    c.body(issuer.vdsNcCertificates().signer, 200, { 'Content-Type': 'application/x-pem-file' }),
  );
  app.get('/issuer/vds-nc/csca.pem', (c) =>
    c.body(issuer.vdsNcCertificates().csca, 200, { 'Content-Type': 'application/x-pem-file' }),
  );
  return app;
}

export interface RunningDirectory {
  port: number;
  close(): Promise<void>;
}

/** Serves the directory over HTTPS (TLS 1.2 minimum) on `host:port` (0 = any free port). */
export async function startDirectory(
  app: Hono,
  tls: TlsMaterial,
  host: string,
  port: number,
): Promise<RunningDirectory> {
  return new Promise((resolve, reject) => {
    const server: ServerType = serve(
      {
        fetch: app.fetch,
        port,
        hostname: host,
        createServer: createHttpsServer,
        serverOptions: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' },
      },
      (info: AddressInfo) => {
        server.off('error', reject);
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              if ('closeAllConnections' in server) server.closeAllConnections();
              server.close(() => done());
            }),
        });
      },
    );
    server.once('error', reject);
    server.on('tlsClientError', () => undefined);
  });
}
