/**
 * Pseudonymization: a keyed HMAC-SHA256 token, stable per value for one
 * (schema, field, purpose), with a key derived for exactly that triple by
 * HKDF-SHA256. A token is still personal data (LGPD Art. 13 §4; GDPR Art. 4(5)):
 * whoever holds the key can test guesses against it.
 *
 * @module
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { PurposefulError } from '../errors.js';
import { base64urlEncode } from '../util/base64url.js';
import { lengthPrefixed } from '../util/bytes.js';

/**
 * Bytes of HMAC output kept in a token: 144 bits (24 base64url characters).
 *
 * @example
 * ```ts
 * const token = pseudonymize(rootKey, { schema: 'customer', field: 'email', purpose: 'analytics.churn' }, 'ana@example.com');
 * token.length; // 27: 'pn_' + PSEUDONYM_BYTES (18) bytes as 24 base64url characters
 * ```
 */
export const PSEUDONYM_BYTES = 18;

/**
 * Every token starts with this prefix, so tokens are recognizable in data and logs.
 *
 * @example
 * ```ts
 * const isToken = (v: unknown) => typeof v === 'string' && v.startsWith(PSEUDONYM_PREFIX); // 'pn_'
 * const churn = await pf.outbound(Customer, record, { purpose: 'analytics.churn', actor: { id: 'svc-analytics' } });
 * isToken(churn.email); // true: analytics.churn sees email pseudonymized
 * ```
 */
export const PSEUDONYM_PREFIX = 'pn_';

/**
 * Shortest root key accepted, in bytes.
 *
 * @example
 * ```ts
 * const rootKey = crypto.getRandomValues(new Uint8Array(MIN_PSEUDONYM_KEY_BYTES)); // 32; keep it in a secret store
 * const pf = createPurposeful({ purposes, schemas: [Customer], pseudonymKey: rootKey });
 * ```
 */
export const MIN_PSEUDONYM_KEY_BYTES = 32;

const encoder = new TextEncoder();
const SALT = encoder.encode('purposeful/pseudonym/v1');

/**
 * Checks a root pseudonymization key once, when it is configured.
 *
 * @example
 * ```ts
 * const rootKey = Buffer.from(process.env.PSEUDONYM_KEY ?? '', 'base64');
 * assertPseudonymKey(rootKey); // throws PF_OPTIONS_INVALID at startup when shorter than 32 bytes
 * ```
 */
export function assertPseudonymKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length < MIN_PSEUDONYM_KEY_BYTES) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      `the pseudonymization key must be a Uint8Array of at least ${MIN_PSEUDONYM_KEY_BYTES} random bytes`,
    );
  }
}

/**
 * Derives the key for one (schema, field, purpose): HKDF-SHA256 with salt
 * `purposeful/pseudonym/v1` and, as info, the three names each as a u32
 * big-endian length-prefixed UTF-8 string.
 *
 * @example
 * ```ts
 * const key = derivePseudonymKey(rootKey, 'customer', 'email', 'analytics.churn'); // 32 bytes
 * // one key per (schema, field, purpose): tokens of one purpose cannot be joined with another's
 * pseudonymizer(key)('ana@example.com') ===
 *   pseudonymize(rootKey, { schema: 'customer', field: 'email', purpose: 'analytics.churn' }, 'ana@example.com'); // true
 * ```
 * @category Minimization
 */
export function derivePseudonymKey(root: Uint8Array, schemaId: string, fieldId: string, purpose: string): Uint8Array {
  return hkdf(sha256, root, SALT, lengthPrefixed([schemaId, fieldId, purpose]), 32);
}

const MAX_CANONICAL_DEPTH = 32;

function notData(): PurposefulError {
  return new PurposefulError(
    'PF_INPUT_INVALID',
    'a pseudonymized value must be JSON-like data (no functions, symbols or cycles)',
  );
}

/** A type-tagged canonical form: objects with sorted keys, so equal data gives equal tokens. */
function canonical(value: unknown, depth = 0): string {
  switch (typeof value) {
    case 'string':
      return depth === 0 ? `s:${value}` : `s:${JSON.stringify(value)}`;
    case 'number':
      return `n:${Object.is(value, -0) ? 0 : value}`;
    case 'bigint':
      return `b:${value}`;
    case 'boolean':
      return value ? 't:' : 'f:';
    case 'object': {
      if (value === null) return 'z:';
      if (depth >= MAX_CANONICAL_DEPTH) throw notData();
      if (value instanceof Date) return `d:${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()}`;
      if (value instanceof Uint8Array) return `u:${base64urlEncode(value)}`;
      if (Array.isArray(value)) return `a:[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
      const keys = Object.keys(value).sort();
      return `o:{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`;
    }
    default:
      throw notData();
  }
}

/**
 * A pseudonymizer for one derived key: `value → 'pn_' + base64url(HMAC(key, tag ‖ value))[:144 bits]`.
 * The type tag keeps `1` and `'1'` apart. The HMAC state is keyed once and cloned per call.
 *
 * @example
 * ```ts
 * const key = derivePseudonymKey(rootKey, 'customer', 'email', 'analytics.churn');
 * const token = pseudonymizer(key);
 * token('ana@example.com') === token('ana@example.com'); // true: stable per value
 * ```
 * @category Minimization
 */
export function pseudonymizer(key: Uint8Array): (value: unknown) => string {
  const keyed = hmac.create(sha256, key);
  const scratch = keyed.clone();
  const out = new Uint8Array(32);
  return (value: unknown) => {
    keyed._cloneInto(scratch);
    scratch.update(encoder.encode(canonical(value)));
    scratch.digestInto(out);
    return PSEUDONYM_PREFIX + base64urlEncode(out, PSEUDONYM_BYTES);
  };
}

/**
 * Pseudonymizes one value for a (schema, field, purpose) with a root key.
 * For many values, derive once with {@link derivePseudonymKey} and use {@link pseudonymizer}.
 *
 * @example
 * ```ts
 * const rootKey = crypto.getRandomValues(new Uint8Array(32));
 * pseudonymize(rootKey, { schema: 'customer', field: 'email', purpose: 'analytics.churn' }, 'ana@example.com');
 * // 'pn_…' (24 characters after the prefix)
 * ```
 * @category Minimization
 */
export function pseudonymize(
  rootKey: Uint8Array,
  where: { readonly schema: string; readonly field: string; readonly purpose: string },
  value: unknown,
): string {
  assertPseudonymKey(rootKey);
  return pseudonymizer(derivePseudonymKey(rootKey, where.schema, where.field, where.purpose))(value);
}
