/**
 * Key-encryption keys: the secrets of loaded keyrings, held apart from the
 * keyring objects, and the key derivation every key under them uses.
 *
 * @module
 * @internal
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { lengthPrefixed, utf8 } from '../util/bytes.js';

/** What the key manager reads of a keyring (a `Keyring` is one): its key ids; the secrets come from {@link kekBytes}. */
export interface KekRing {
  /** The id of the primary key (it wraps new data keys). */
  readonly primary: string;
  /** Every key id, primary first. */
  readonly kids: readonly string[];
  /** Whether the keyring holds a key with this id. */
  has(kid: string): boolean;
}

/** Secrets by keyring, shared by the ESM and CJS copies of the package (a keyring made by one works in the other). */
const SECRETS_KEY = Symbol.for('purposeful.keyring.v1');
const shared = globalThis as Record<symbol, unknown>;
if (!shared[SECRETS_KEY]) shared[SECRETS_KEY] = new WeakMap();
export const SECRETS = shared[SECRETS_KEY] as WeakMap<object, ReadonlyMap<string, Uint8Array>>;

/** HKDF-SHA256 to 32 bytes, with a purposeful label as salt and a length-prefixed info. */
export function derive(ikm: Uint8Array, label: string, info: ReadonlyArray<string>): Uint8Array {
  return expand(extract(ikm, label), info);
}

/** A pseudorandom key from {@link extract}, as an HMAC-SHA256 keyed by it (its key schedule done). */
export type Prk = ReturnType<typeof hmac.create>;

/**
 * HKDF-Extract (RFC 5869 §2.2) of `ikm` under the label's salt, returned as an
 * HMAC-SHA256 keyed by the pseudorandom key: {@link expand} clones it, so one
 * extraction serves every key derived from the same `ikm` and label.
 */
export function extract(ikm: Uint8Array, label: string): Prk {
  const prk = hmac(sha256, utf8(`purposeful/v1/${label}`), ikm);
  const keyed = hmac.create(sha256, prk);
  prk.fill(0);
  return keyed;
}

/**
 * HKDF-Expand (RFC 5869 §2.3) to 32 bytes of a length-prefixed info from what
 * {@link extract} returned: `derive(ikm, label, info)` is
 * `expand(extract(ikm, label), info)`, byte for byte as `hkdf` of @noble/hashes.
 */
export function expand(prk: Prk, info: ReadonlyArray<string>): Uint8Array {
  const encoded = lengthPrefixed(info);
  const block = new Uint8Array(encoded.length + 1);
  block.set(encoded, 0);
  block[encoded.length] = 1; // T(1) = HMAC(PRK, info ‖ 0x01)
  return prk.clone().update(block).digest();
}

/** @internal The secret of a key id, for the key manager. */
export function kekBytes(keyring: object, kid: string): Uint8Array | undefined {
  return SECRETS.get(keyring)?.get(kid);
}
