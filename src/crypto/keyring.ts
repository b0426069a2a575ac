/**
 * The keyring: key-encryption keys (KEKs) as a JWK Set of `oct` keys. Exactly
 * one is primary (`key_ops: ["wrapKey", "unwrapKey"]`) and wraps new data
 * keys; older ones (`key_ops: ["unwrapKey"]`) only unwrap. KEKs never encrypt
 * field values: they wrap per-subject data keys and seed derived keys
 * (schema roots, blind indexes), each under its own HKDF label.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { Purposes } from '../schema/purposes.js';
import { base64urlDecode, base64urlEncode } from '../util/base64url.js';
import { randomBytes } from '../util/bytes.js';
import { isKid } from './envelope.js';
import { SECRETS } from './kek.js';
import { Vault, type VaultSettings } from './vault.js';

/**
 * An `oct` JWK as the keyring stores it.
 *
 * @example
 * ```ts
 * const jwk: KeyringJwk = { kty: 'oct', kid: 'k-2026-01', k: '…43 base64url characters…', key_ops: ['wrapKey', 'unwrapKey'] };
 * ```
 * @category Encryption
 */
export interface KeyringJwk {
  readonly kty: 'oct';
  readonly kid: string;
  readonly k: string;
  readonly key_ops: readonly ('wrapKey' | 'unwrapKey')[];
}

/**
 * A JWK Set of KEKs.
 *
 * @example
 * ```ts
 * const jwks: KeyringJwks = generateKeyring().export();
 * const keys = await keyringFromJwks(jwks);
 * ```
 * @category Encryption
 */
export interface KeyringJwks {
  readonly keys: readonly KeyringJwk[];
}

function invalid(message: string): PurposefulError {
  return new PurposefulError('PF_OPTIONS_INVALID', `keyring: ${message}`);
}

/**
 * A loaded keyring. Secrets stay inside: `JSON.stringify(keyring)` shows the
 * key ids only; `export()` is the one way to get the JWK Set back.
 *
 * @example
 * ```ts
 * const keyring = generateKeyring();
 * keyring.primary;                  // 'k-20261128-…'
 * const next = keyring.rotate();    // a new primary; the old key now only unwraps
 * await keyringFromJwks(next.export());
 * ```
 * @category Encryption
 */
export class Keyring {
  /** The id of the primary key (it wraps new data keys). */
  readonly primary: string;
  /** Every key id, primary first. */
  readonly kids: readonly string[];

  /** @internal Use {@link keyringFromJwks} or {@link generateKeyring}. */
  constructor(jwks: unknown) {
    const keys = (jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0) throw invalid('expected a JWK Set { keys: [...] } with at least one key');
    const secrets = new Map<string, Uint8Array>();
    let primary: string | undefined;
    for (const [i, jwk] of keys.entries()) {
      const j = jwk as Partial<KeyringJwk> | null;
      if (j?.kty !== 'oct') throw invalid(`key #${i} is not an "oct" JWK`);
      if (typeof j.kid !== 'string' || !isKid(j.kid)) throw invalid(`key #${i} needs a kid of 1–64 characters A–Z a–z 0–9 _ -`);
      if (secrets.has(j.kid)) throw invalid(`duplicate kid "${j.kid}"`);
      const k = typeof j.k === 'string' ? base64urlDecode(j.k) : undefined;
      if (k?.length !== 32) throw invalid(`key "${j.kid}" must be 32 bytes (256 bits) of canonical base64url`);
      const extra = j as { use?: unknown; alg?: unknown };
      if (extra.use !== undefined && extra.use !== 'enc')
        throw invalid(`key "${j.kid}": "use" must be "enc" (or absent) for a key-encryption key`);
      if (extra.alg !== undefined) throw invalid(`key "${j.kid}": "alg" must be absent (purposeful decides how KEKs are used)`);
      const ops = j.key_ops;
      if (
        !Array.isArray(ops) ||
        !ops.includes('unwrapKey') ||
        new Set(ops).size !== ops.length ||
        ops.some((o) => o !== 'wrapKey' && o !== 'unwrapKey')
      ) {
        throw invalid(`key "${j.kid}" needs key_ops ["wrapKey", "unwrapKey"] (primary) or ["unwrapKey"]`);
      }
      if (ops.includes('wrapKey')) {
        if (primary) throw invalid(`two primary keys ("${primary}" and "${j.kid}"): exactly one may have "wrapKey"`);
        primary = j.kid;
      }
      secrets.set(j.kid, k);
    }
    if (!primary) throw invalid('no primary key: exactly one key needs key_ops ["wrapKey", "unwrapKey"]');
    this.primary = primary;
    this.kids = Object.freeze([primary, ...[...secrets.keys()].filter((kid) => kid !== primary)]);
    SECRETS.set(this, secrets);
    Object.freeze(this);
  }

  /** Whether the keyring holds a key id. */
  has(kid: string): boolean {
    return (SECRETS.get(this) as ReadonlyMap<string, Uint8Array>).has(kid);
  }

  /** The JWK Set, secrets included: store it in a secrets manager, never in the database it protects. */
  export(): KeyringJwks {
    const secrets = SECRETS.get(this) as ReadonlyMap<string, Uint8Array>;
    return {
      keys: this.kids.map((kid) => ({
        kty: 'oct' as const,
        kid,
        k: base64urlEncode(secrets.get(kid) as Uint8Array),
        key_ops: kid === this.primary ? (['wrapKey', 'unwrapKey'] as const) : (['unwrapKey'] as const),
      })),
    };
  }

  /** A keyring with a new random primary key; the current keys stay, for unwrapping only. */
  rotate(kid: string = newKid()): Keyring {
    const jwks = this.export();
    return new Keyring({
      keys: [
        { kty: 'oct', kid, k: base64urlEncode(randomBytes(32)), key_ops: ['wrapKey', 'unwrapKey'] },
        ...jwks.keys.map((j) => ({ ...j, key_ops: ['unwrapKey'] })),
      ],
    });
  }

  /** A keyring without a retired key (after every data key it wrapped was rewrapped). The primary cannot be retired. */
  retire(kid: string): Keyring {
    if (kid === this.primary) throw invalid('the primary key cannot be retired; rotate first');
    return new Keyring({ keys: this.export().keys.filter((j) => j.kid !== kid) });
  }

  /** Key ids only: a keyring never serializes its secrets by accident. */
  toJSON(): { primary: string; kids: readonly string[] } {
    return { primary: this.primary, kids: this.kids };
  }

  /**
   * The engine's vault over this keyring. The encryption code is reached
   * through the keyring, so that an engine created without keys does not
   * carry it into a bundle.
   *
   * @internal
   */
  vault(options: VaultSettings, purposes: Purposes, schemas: readonly PurposefulSchema[]): Vault {
    return new Vault({ ...options, keys: this }, purposes, schemas);
  }
}

/**
 * True when `value` is a loaded keyring (from either the ESM or the CJS entry).
 *
 * @example
 * ```ts
 * isKeyring(generateKeyring()); // true
 * isKeyring({ keys: [] });       // false: a JWK Set must be loaded with keyringFromJwks()
 * ```
 * @category Encryption
 */
export function isKeyring(value: unknown): value is Keyring {
  return typeof value === 'object' && value !== null && SECRETS.has(value);
}

function newKid(): string {
  const d = new Date();
  const date = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `k-${date}-${base64urlEncode(randomBytes(6))}`;
}

/**
 * A new keyring with one random 256-bit primary key (`kid` defaults to
 * `k-YYYYMMDD-<random>`). Generate it once, store `keyring.export()` (the JWK
 * Set, secrets included) in a secrets manager, and load it at start-up with
 * {@link keyringFromJwks}; `purposeful keys generate` does the same from the
 * command line. A new keyring does not replace one in use: values sealed under
 * a lost keyring never decrypt again. Rotate with {@link Keyring.rotate}.
 *
 * @example
 * ```ts
 * const keyring = generateKeyring();
 * await secrets.put('purposeful-keyring', JSON.stringify(keyring.export()));
 *
 * // at start-up
 * const keys = await keyringFromJwks(await secrets.get('purposeful-keyring'));
 * const pf = createPurposeful({ purposes, schemas, keys, keyStore });
 * ```
 * @category Encryption
 */
export function generateKeyring(options: { kid?: string } = {}): Keyring {
  return new Keyring({
    keys: [{ kty: 'oct', kid: options.kid ?? newKid(), k: base64urlEncode(randomBytes(32)), key_ops: ['wrapKey', 'unwrapKey'] }],
  });
}

/**
 * Loads a keyring from a JWK Set (an object or its JSON text). Wrong lengths,
 * duplicate kids, a missing or second primary: `PF_OPTIONS_INVALID`, at load time.
 *
 * @example
 * ```ts
 * const keys = await keyringFromJwks(process.env.PURPOSEFUL_KEYRING!);
 * const pf = createPurposeful({ purposes, schemas, keys });
 * ```
 * @category Encryption
 */
export async function keyringFromJwks(jwks: KeyringJwks | string): Promise<Keyring> {
  let parsed: unknown = jwks;
  if (typeof jwks === 'string') {
    try {
      parsed = JSON.parse(jwks);
    } catch {
      throw invalid('the JWK Set is not valid JSON');
    }
  }
  return new Keyring(parsed);
}
