/**
 * The AEAD algorithms of the envelope format, each as `seal(key, nonce,
 * plaintext, ad) → ciphertext ‖ tag` and `open(…) → plaintext | undefined`.
 *
 * - `xc20`: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): 24-byte random
 *   nonces, safe under one key for any practical number of messages. The
 *   portable default, from @noble/ciphers. On Node (≥ 20.16, reached through
 *   `process.getBuiltinModule`, no static `node:` import) the same bytes come
 *   from HChaCha20 plus Node's native ChaCha20-Poly1305.
 * - `gsiv`: AES-256-GCM-SIV (RFC 8452): nonce-misuse resistant, 12-byte random
 *   nonces, used only under keys derived per (subject, schema, field), so the
 *   number of messages under one key stays small. From @noble/ciphers (Node 20's
 *   OpenSSL 3.0 has no GCM-SIV).
 *
 * @module
 */
import { gcmsiv } from '@noble/ciphers/aes.js';
import { hchacha, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { nodeBuiltin } from '../util/node-builtin.js';

/**
 * The algorithm ids of the envelope format.
 *
 * @example
 * ```ts
 * createPurposeful({ purposes, schemas, keys, keyStore, encryption: { algorithm: 'gsiv' } }); // AES-256-GCM-SIV
 * ```
 * @category Encryption
 */
export type AlgorithmId = 'xc20' | 'gsiv';

/** One AEAD, as the envelope uses it. */
export interface Aead {
  readonly id: AlgorithmId;
  readonly nonceLength: number;
  /** Which implementation runs: `noble` (portable) or `node` (native). */
  readonly implementation: 'noble' | 'node';
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array;
  /** The plaintext, or `undefined` when authentication fails. */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array | undefined;
}

/** Length of the authentication tag of both algorithms. */
export const TAG_LENGTH = 16;

const nobleXc20: Aead = {
  id: 'xc20',
  nonceLength: 24,
  implementation: 'noble',
  seal: (key, nonce, pt, ad) => xchacha20poly1305(key, nonce, ad).encrypt(pt),
  open: (key, nonce, sealed, ad) => {
    try {
      return xchacha20poly1305(key, nonce, ad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
};

const nobleGsiv: Aead = {
  id: 'gsiv',
  nonceLength: 12,
  implementation: 'noble',
  seal: (key, nonce, pt, ad) => gcmsiv(key, nonce, ad).encrypt(pt),
  open: (key, nonce, sealed, ad) => {
    try {
      return gcmsiv(key, nonce, ad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
};

interface NodeCipher {
  setAAD(ad: Uint8Array, options: { plaintextLength: number }): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  getAuthTag(): Uint8Array;
  setAuthTag(tag: Uint8Array): unknown;
}
interface NodeCrypto {
  createCipheriv(alg: string, key: Uint8Array, iv: Uint8Array, options: { authTagLength: number }): NodeCipher;
  createDecipheriv(alg: string, key: Uint8Array, iv: Uint8Array, options: { authTagLength: number }): NodeCipher;
  getCiphers(): string[];
}

/** Node's crypto module when this runtime is Node ≥ 20.16, reached without a static `node:` import. */
function nodeCrypto(): NodeCrypto | undefined {
  const c = nodeBuiltin<NodeCrypto>('node:crypto');
  try {
    return c && typeof c.createCipheriv === 'function' && c.getCiphers().includes('chacha20-poly1305') ? c : undefined;
  } catch {
    return undefined;
  }
}

const SIGMA = new Uint32Array(new Uint8Array([...'expand 32-byte k'].map((c) => c.charCodeAt(0))).buffer);

const K32 = new Uint32Array(8);
const K8 = new Uint8Array(K32.buffer);
const N32 = new Uint32Array(4);
const N8 = new Uint8Array(N32.buffer);

/**
 * HChaCha20(key, nonce[0..16]): the XChaCha20 subkey, in a fresh array. Wrong
 * lengths throw, as the portable implementation does. The inputs go through
 * module scratch words (wiped after use), so a call allocates only its output.
 */
export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError('XChaCha20-Poly1305 needs a 32-byte key');
  if (nonce16.length < 16) throw new RangeError('HChaCha20 needs 16 nonce bytes');
  K8.set(key);
  N8.set(nonce16.subarray(0, 16));
  const out = new Uint32Array(8);
  hchacha(SIGMA, K32, N32, out);
  K32.fill(0);
  return new Uint8Array(out.buffer);
}

function nativeXc20(c: NodeCrypto): Aead {
  const n12 = new Uint8Array(12); // createCipheriv copies its IV: one scratch buffer serves every call
  const subNonce = (nonce: Uint8Array) => {
    if (nonce.length !== 24) throw new RangeError('XChaCha20-Poly1305 needs a 24-byte nonce');
    n12.set(nonce.subarray(16, 24), 4);
    return n12;
  };
  return {
    id: 'xc20',
    nonceLength: 24,
    implementation: 'node',
    seal(key, nonce, pt, ad) {
      const cipher = c.createCipheriv('chacha20-poly1305', hchacha20(key, nonce), subNonce(nonce), { authTagLength: TAG_LENGTH });
      cipher.setAAD(ad, { plaintextLength: pt.length });
      const body = cipher.update(pt);
      const fin = cipher.final();
      const tag = cipher.getAuthTag();
      const out = new Uint8Array(body.length + fin.length + TAG_LENGTH);
      out.set(body, 0);
      out.set(fin, body.length);
      out.set(tag, body.length + fin.length);
      return out;
    },
    open(key, nonce, sealed, ad) {
      if (sealed.length < TAG_LENGTH) return undefined;
      const ctLength = sealed.length - TAG_LENGTH;
      try {
        const d = c.createDecipheriv('chacha20-poly1305', hchacha20(key, nonce), subNonce(nonce), { authTagLength: TAG_LENGTH });
        d.setAAD(ad, { plaintextLength: ctLength });
        d.setAuthTag(sealed.subarray(ctLength));
        const body = d.update(sealed.subarray(0, ctLength));
        const fin = d.final();
        if (fin.length === 0) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
        const out = new Uint8Array(body.length + fin.length);
        out.set(body, 0);
        out.set(fin, body.length);
        return out;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Which implementations to use.
 *
 * @example
 * ```ts
 * createPurposeful({ purposes, schemas, keys, keyStore, encryption: { implementation: 'noble' } }); // same bytes, no native code
 * ```
 * @category Encryption
 */
export type AeadImplementation = 'auto' | 'noble';

/**
 * The AEADs by id. `auto` (the default) takes Node's native ChaCha20-Poly1305
 * for `xc20` where the runtime has it; `noble` forces the portable code.
 *
 * @example
 * ```ts
 * const { xc20 } = aeads();
 * xc20.implementation; // 'node' on Node ≥ 20.16, 'noble' on Edge, workers and browsers
 * ```
 */
export function aeads(implementation: AeadImplementation = 'auto'): Readonly<Record<AlgorithmId, Aead>> {
  const native = implementation === 'auto' ? nodeCrypto() : undefined;
  return Object.freeze({ xc20: native ? nativeXc20(native) : nobleXc20, gsiv: nobleGsiv });
}
