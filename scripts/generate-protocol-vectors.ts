import { writeFileSync } from 'node:fs';
import { tweetnaclCrypto } from '../protocol/index.js';
import { buildVectors } from '../protocol/testing/vectors.js';

/** Regenerates `protocol/vectors/protocol-v1.json` with the reference provider (tweetnacl). */
const vectors = await buildVectors(tweetnaclCrypto);
writeFileSync('protocol/vectors/protocol-v1.json', JSON.stringify(vectors, null, 2) + '\n');
console.log('wrote protocol/vectors/protocol-v1.json');
