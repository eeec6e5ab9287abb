import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../common/db.js';
import type { IssuedBody } from '../../../protocol/index.js';
import { checkCertificate } from '../../../tests/support/certificate-check.js';
import { issuedBody } from '../../../vrs-sim/answer.js';
import { CertificateIssuer } from '../../../vrs-sim/certs/issuer.js';
import { ensureTls, ensureVdsNcSigner, type TlsMaterial } from '../../../vrs-sim/certs/pki.js';
import { SigningKeys } from '../../../vrs-sim/certs/signing-keys.js';
import { createDirectoryApp, startDirectory, type RunningDirectory } from '../../../vrs-sim/directory.js';
import { fixtureRecord, hasNoRecords, loadFixtures } from '../../../vrs-sim/seed/fixtures.js';
import { migrate } from '../../../vrs-sim/storage/schema.js';
import { renderCertificate } from './index.js';

/**
 * The certificate against what the VRS stand-in really issues: every fictional fixture resident renders
 * (names with 外字 substitutes, the longest name, seven doses), and the printed QR codes verify against
 * the stand-in's JWKS fetched over its self-signed HTTPS and its VDS-NC CSCA.
 */
let dir: string;
let db: Db;
let tls: TlsMaterial;
let issuer: CertificateIssuer;
let directory: RunningDirectory;
let iss = '';
const fixtures = loadFixtures().filter((f) => !hasNoRecords(f));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-cert-vrs-'));
  db = await openDb();
  await migrate(db);
  tls = await ensureTls(dir);
  issuer = new CertificateIssuer({
    db,
    keys: new SigningKeys(join(dir, 'signing')),
    vdsnc: await ensureVdsNcSigner(dir),
    iss: () => iss,
  });
  directory = await startDirectory(createDirectoryApp(issuer), tls, '127.0.0.1', 0);
  iss = `https://127.0.0.1:${directory.port}/issuer`;
});

afterAll(async () => {
  await directory.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

function answerFor(id: string, certType: 'domestic' | 'overseas'): IssuedBody {
  const f = fixtures.find((x) => x.id === id) ?? fixtures[0];
  if (f === undefined) throw new Error('no fixtures');
  const record = fixtureRecord(f, 'kiosk-cert');
  const municipality = f.municipality;
  const cert = issuer.sign(record, municipality, certType);
  const body = issuedBody(record, municipality, certType, cert, new Date());
  if (body.outcome !== 'issued') throw new Error('not issued');
  return body;
}

describe('certificates from the VRS stand-in', () => {
  it('renders every fixture resident on both templates where VRS issues them', async () => {
    let rendered = 0;
    for (const f of fixtures) {
      for (const certType of ['domestic', 'overseas'] as const) {
        if (certType === 'overseas' && f.passport === undefined) continue;
        const pdf = await renderCertificate({ answer: answerFor(f.id, certType), copies: 1 });
        expect(pdf.length).toBeGreaterThan(10_000);
        rendered++;
      }
    }
    expect(rendered).toBeGreaterThanOrEqual(fixtures.length);
  });

  it('prints QR codes that verify against the stand-in JWKS (HTTPS) and VDS-NC CSCA', async () => {
    const jwks = { url: `${iss}/.well-known/jwks.json`, ca: tls.cert };
    const csca = issuer.vdsNcCertificates().csca;
    const longest = answerFor('longname', 'domestic');
    const c1 = await checkCertificate(await renderCertificate({ answer: longest, copies: 1 }), { jwks });
    expect(c1.shc[0]?.jws).toBe(longest.shc);
    expect(c1.shc[0]?.payload.iss).toBe(iss);

    const traveller = fixtures.find((f) => f.passport !== undefined);
    expect(traveller).toBeDefined();
    const overseas = answerFor(traveller?.id ?? '', 'overseas');
    const c2 = await checkCertificate(await renderCertificate({ answer: overseas, copies: 1 }), {
      jwks,
      vdsTrustedCas: [csca],
    });
    expect(c2.shc).toHaveLength(1);
    expect(c2.vdsNc).toHaveLength(1);
    expect((c2.vdsNc[0]?.data.msg as { pid: { i: string } }).pid.i).toBe(overseas.person.passportNumber);
  });
});
