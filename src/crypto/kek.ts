/**
 * Key-encryption keys: the secrets of loaded keyrings, held apart from the
 * keyring objects, and the key derivation every key under them uses.
 *
 * @module
 * @internal
 */
import { hkdf } from '@noble/hashes/hkdf.js';
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

/** HKDF-SHA256 with a purposeful label as salt and a length-prefixed info. */
export function derive(ikm: Uint8Array, label: string, info: ReadonlyArray<string>, length = 32): Uint8Array {
  return hkdf(sha256, ikm, utf8(`purposeful/v1/${label}`), lengthPrefixed(info), length);
}

/** @internal The secret of a key id, for the key manager. */
export function kekBytes(keyring: object, kid: string): Uint8Array | undefined {
  return SECRETS.get(keyring)?.get(kid);
}
