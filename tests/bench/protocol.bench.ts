import { nodeCrypto } from '../../common/crypto-node.js';
import {
  acceptHello,
  createInitiator,
  generateIdentity,
  openRequest,
  sealRequest,
  tweetnaclCrypto,
  x25519KeyPair,
  toBase64Url,
  type CryptoProvider,
} from '../../protocol/index.js';

/** Protocol figures: primitive rates per provider, full handshakes per second, frame and envelope throughput. */
function rate(label: string, seconds: number, fn: () => void): number {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    fn();
    n++;
  }
  const r = n / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(52)} ${r.toFixed(0).padStart(9)} /s`);
  return r;
}

const msg = new Uint8Array(64);
for (const c of [tweetnaclCrypto, nodeCrypto] as CryptoProvider[]) {
  const seed = c.randomBytes(32);
  const pk = c.ed25519PublicKey(seed);
  const sig = c.ed25519Sign(seed, msg);
  const a = c.randomBytes(32);
  const bPub = c.x25519PublicKey(c.randomBytes(32));
  rate(`${c.name}: Ed25519 verify`, 1, () => c.ed25519Verify(pk, msg, sig));
  rate(`${c.name}: Ed25519 sign`, 1, () => c.ed25519Sign(seed, msg));
  rate(`${c.name}: X25519 agreement`, 1, () => c.x25519(a, bPub));
}

const kiosk = generateIdentity(nodeCrypto);
const relay = generateIdentity(nodeCrypto);
for (const c of [tweetnaclCrypto, nodeCrypto] as CryptoProvider[]) {
  const seconds = c === tweetnaclCrypto ? 3 : 2;
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const init = createInitiator({ identity: kiosk, peerPublicKey: relay.publicKey, crypto: c });
    const acc = await acceptHello(init.hello, { identity: relay, crypto: c, isKnownPeer: () => true });
    if (!acc.ok) throw new Error(acc.code);
    const done = init.accept(acc.response);
    if (!done.ok) throw new Error(done.code);
    if (!acc.pending.complete(done.finished).ok) throw new Error('complete');
    n++;
  }
  const r = n / ((performance.now() - start) / 1000);
  console.log(
    `${`${c.name}: full handshake (both sides, one core)`.padEnd(52)} ${r.toFixed(0).padStart(9)} /s`,
  );
}

{
  const init = createInitiator({ identity: kiosk, peerPublicKey: relay.publicKey, crypto: nodeCrypto });
  const acc = await acceptHello(init.hello, { identity: relay, crypto: nodeCrypto, isKnownPeer: () => true });
  if (!acc.ok) throw new Error(acc.code);
  const done = init.accept(acc.response);
  if (!done.ok) throw new Error(done.code);
  const done2 = acc.pending.complete(done.finished);
  if (!done2.ok) throw new Error(done2.code);
  const payload = new Uint8Array(1024);
  rate('frame seal + open, 1 KiB', 1, () => {
    const r = done2.session.open(done.session.seal(payload));
    if (!r.ok) throw new Error(r.code);
  });
}

{
  const vrs = x25519KeyPair(nodeCrypto);
  const request = {
    requestId: toBase64Url(nodeCrypto.randomBytes(16)),
    kioskId: toBase64Url(kiosk.publicKey),
    municipality: '131016',
    certType: 'domestic' as const,
    copies: 1,
    card: {
      myNumberEf: 'A'.repeat(20),
      basic4Ef: 'A'.repeat(400),
      signatureEf: 'A'.repeat(448),
      certificateEf: 'A'.repeat(300),
    },
  };
  rate('envelope: seal request + open at VRS (node:crypto)', 1, () => {
    const { sealed } = sealRequest({ vrsBoxPublicKey: vrs.publicKey, request, crypto: nodeCrypto });
    if (!openRequest({ sealed, vrsBoxSecretKey: vrs.secretKey, crypto: nodeCrypto }).ok)
      throw new Error('open');
  });
}
