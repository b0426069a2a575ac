/**
 * Blind indexes: equality search over encrypted fields. An index value is
 * `<kid>.<base64url(HMAC-SHA256(index key, normalized value))>` truncated to a
 * configured number of bits, under a key derived per (keyring key, index
 * name). Every keyring key gives its own value, so during a rotation
 * `indexFor` returns one value per live key and a query matches rows indexed
 * under either.
 *
 * Truncation trades privacy for false positives: with `bits` bits and `n`
 * distinct values, a query matches about `(n − 1) / 2^bits` rows holding some
 * other value ({@link expectedFalsePositives}); 64 bits (the default) keeps that
 * below one in a billion for ten million values, while a short index (say 16
 * bits) lets many values share a bucket, which hides them better.
 *
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlEncode } from '../util/base64url.js';
import { lengthPrefixed } from '../util/bytes.js';

/**
 * How a value is normalized before it is indexed.
 *
 * @example
 * ```ts
 * const n: Normalizer = 'digits';
 * normalizeForIndex(n, '(11) 98765-4321'); // '11987654321'
 * ```
 * @category Encryption
 */
export type Normalizer = 'digits' | 'alnum' | 'email' | 'name' | 'exact';

/**
 * Normalizes a value for indexing: `digits` keeps digits (CPF, phone, card);
 * `alnum` keeps letters and digits, uppercased (CNPJ, which may hold letters);
 * `email` trims and lowercases; `name` removes diacritics (NFKD), case and
 * repeated spaces; `exact` is the value as text (NFC). `null`/`undefined` give `undefined`.
 *
 * @example
 * ```ts
 * normalizeForIndex('digits', '529.982.247-25'); // '52998224725'
 * normalizeForIndex('name', '  JOÃO  da Silva'); // 'joao da silva'
 * ```
 * @category Encryption
 */
export function normalizeForIndex(kind: Normalizer, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : String(value);
  switch (kind) {
    case 'digits':
      return s.replace(/[^0-9]/g, '');
    case 'alnum':
      return s.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    case 'email':
      return s.trim().toLowerCase();
    case 'name':
      return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/\s+/g, ' ');
    default:
      return s.normalize('NFC');
  }
}

/** The index value of normalized parts (one part, or several for a compound index) under one index key. */
export function blindIndexValue(kid: string, key: Uint8Array, parts: readonly string[], bits: number): string {
  const mac = hmac(sha256, key, lengthPrefixed(parts));
  return `${kid}.${base64urlEncode(mac, bits / 8)}`;
}

/**
 * Expected number of rows holding some *other* value that a query on an index
 * of `bits` bits also matches, with `distinctValues` distinct values indexed.
 *
 * @example
 * ```ts
 * expectedFalsePositives(64, 10_000_000); // ≈ 5.4e-13
 * expectedFalsePositives(16, 100_000);    // ≈ 1.5: a query returns a couple of candidates to decrypt and compare
 * ```
 * @category Encryption
 */
export function expectedFalsePositives(bits: number, distinctValues: number): number {
  return Math.max(0, distinctValues - 1) / 2 ** bits;
}
