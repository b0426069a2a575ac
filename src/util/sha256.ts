/**
 * SHA-256 and HMAC-SHA-256 over UTF-8 text, from Node's native crypto where the
 * runtime has it (reached through `process.getBuiltinModule`, no static `node:`
 * import) and from @noble/hashes everywhere else: the same bytes either way.
 *
 * @module
 * @internal
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { nodeBuiltin } from './node-builtin.js';

interface NodeHash {
  update(data: string, encoding: 'utf8'): NodeHash;
  digest(): Uint8Array;
  digest(encoding: 'hex'): string;
}
interface NodeCrypto {
  createHash(alg: 'sha256'): NodeHash;
  createHmac(alg: 'sha256', key: Uint8Array): NodeHash;
}

const native = ((c) => (c && typeof c.createHash === 'function' && typeof c.createHmac === 'function' ? c : undefined))(
  nodeBuiltin<NodeCrypto>('node:crypto'),
);

/** Hex SHA-256 of a string's UTF-8 bytes. */
export const sha256Hex: (text: string) => string = native
  ? (text) => native.createHash('sha256').update(text, 'utf8').digest('hex')
  : (text) => bytesToHex(sha256(utf8ToBytes(text)));

/** HMAC-SHA-256 under one key, of a string's UTF-8 bytes (the key's schedule computed once). */
export function hmacSha256(key: Uint8Array): (text: string) => Uint8Array {
  if (native) {
    const k = Uint8Array.from(key);
    return (text) => new Uint8Array(native.createHmac('sha256', k).update(text, 'utf8').digest());
  }
  const keyed = hmac.create(sha256, key);
  return (text) => keyed.clone().update(utf8ToBytes(text)).digest();
}
