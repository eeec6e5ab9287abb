import 'reflect-metadata';
import { X509Certificate as NodeX509, createPrivateKey, type KeyObject, type webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const YEAR = 365 * 86_400_000;

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await globalThis.crypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

const writeSecret = (file: string, text: string) => writeFileSync(file, text, { mode: 0o600 });

/** The key directory's TLS certificate and key (PEM), made once per state folder. */
export interface TlsMaterial {
  key: string;
  cert: string;
}

/**
 * A self-signed TLS certificate for the key directory (SAN: IP 127.0.0.1, ::1, DNS localhost, plus
 * `hosts`), in `<dir>/tls/` (key 0600). Clients pin `cert` as their CA.
 */
export async function ensureTls(dir: string, hosts: readonly string[] = []): Promise<TlsMaterial> {
  const folder = join(dir, 'tls');
  const keyFile = join(folder, 'key.pem');
  const certFile = join(folder, 'cert.pem');
  if (existsSync(keyFile) && existsSync(certFile))
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const keys = (await globalThis.crypto.subtle.generateKey(EC, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const names: x509.JsonGeneralNames = [
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
    { type: 'dns', value: 'localhost' },
    ...hosts.map((h) => ({ type: /^[\d.:]+$/.test(h) ? ('ip' as const) : ('dns' as const), value: h })),
  ];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=VRS stand-in key directory, O=vrs-sim, C=JP',
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 5 * YEAR),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  const material = { key: await pkcs8Pem(keys.privateKey), cert: cert.toString('pem') + '\n' };
  writeSecret(keyFile, material.key);
  writeFileSync(certFile, material.cert);
  return material;
}

/** The VDS-NC signing material: a country signing CA (self-signed) and a document signer it certified. */
export interface VdsNcSigner {
  /** The signer certificate, DER. */
  signerDer: Uint8Array;
  signerPem: string;
  cscaPem: string;
  privateKey: KeyObject;
}

/**
 * Makes (once) and loads the stand-in's VDS-NC PKI in `<dir>/vdsnc/`: `csca.pem` (the stand-in's CSCA,
 * "C=JP", self-signed; its private key is not kept once the signer is certified), `signer.pem` and
 * `signer.key` (0600).
 */
export async function ensureVdsNcSigner(dir: string): Promise<VdsNcSigner> {
  const folder = join(dir, 'vdsnc');
  const files = {
    csca: join(folder, 'csca.pem'),
    signer: join(folder, 'signer.pem'),
    key: join(folder, 'signer.key'),
  };
  if (!existsSync(files.key)) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const caKeys = (await globalThis.crypto.subtle.generateKey(EC, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=VRS stand-in CSCA, O=vrs-sim, C=JP',
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 10 * YEAR),
      keys: caKeys,
      signingAlgorithm: SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    const signerKeys = (await globalThis.crypto.subtle.generateKey(EC, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const signer = await x509.X509CertificateGenerator.create({
      subject: 'CN=VRS stand-in VDS-NC signer, O=vrs-sim, C=JP',
      issuer: ca.subject,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 2 * YEAR),
      publicKey: signerKeys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGN,
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
    });
    writeFileSync(files.csca, ca.toString('pem') + '\n');
    writeFileSync(files.signer, signer.toString('pem') + '\n');
    writeSecret(files.key, await pkcs8Pem(signerKeys.privateKey));
  }
  const signerPem = readFileSync(files.signer, 'utf8');
  return {
    signerDer: new Uint8Array(new NodeX509(signerPem).raw),
    signerPem,
    cscaPem: readFileSync(files.csca, 'utf8'),
    privateKey: createPrivateKey(readFileSync(files.key, 'utf8')),
  };
}
