/**
 * The encryption options of `createPurposeful`: the keyring and the vault's
 * settings.
 *
 * @module
 */
import type { AeadImplementation, AlgorithmId } from './aead.js';
import type { Keyring } from './keyring.js';
import type { ErasureJournal, SubjectKeyStore } from './keystore.js';
import type { ReceiptSigner, VaultOptions } from './vault.js';

/**
 * Encryption options of `createPurposeful`.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ purposes, schemas, keys: await keyringFromJwks(jwks), keyStore,
 *   encryption: { algorithm: 'xc20', indexBits: 64, backupMaxAge: 'P30D', receipts: { key: privateJwk, alg: 'EdDSA' } } });
 * ```
 * @category Encryption
 */
export interface EncryptionOptions {
  /** The keyring of KEKs. */
  readonly keys: Keyring;
  /** Where subjects' data keys live (required for schemas with a subject and encrypted fields). */
  readonly keyStore?: SubjectKeyStore;
  /** Where erasures are journaled (kept apart from the key store's backups). */
  readonly erasureJournal?: ErasureJournal;
  /** The AEAD new values are sealed with: `xc20` (default) or `gsiv`. */
  readonly algorithm?: AlgorithmId;
  /** `auto` (default: native on Node) or `noble` (portable code everywhere). */
  readonly implementation?: AeadImplementation;
  /** Most unwrapped and derived keys kept in memory (default 10 000). */
  readonly keyCacheSize?: number;
  /**
   * How long an unwrapped data key is used before the key store is asked again
   * (ms, default 30 000). A shredding done by this engine takes effect at once;
   * one done by another process takes effect here within this delay.
   */
  readonly keyCacheTtlMs?: number;
  /** Bits kept of each blind-index value: a multiple of 8 from 16 to 256 (default 64). */
  readonly indexBits?: number;
  /** Signs erasure receipts; `shred` needs it. */
  readonly receipts?: ReceiptSigner;
  /**
   * The longest a key-store backup is kept (ISO-8601, default `P30D`): an
   * erasure reaches every backup once backups older than it have expired.
   */
  readonly backupMaxAge?: string;
}

/**
 * The vault takes every encryption option, under the same name and of the same type: the compiler fails here when
 * one is added to either side only.
 */
type SameOptions = [keyof EncryptionOptions] extends [keyof VaultOptions]
  ? [keyof VaultOptions] extends [keyof EncryptionOptions]
    ? EncryptionOptions extends VaultOptions
      ? true
      : false
    : false
  : false;
true satisfies SameOptions;
