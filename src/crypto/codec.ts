/**
 * The value codec: an encrypted field keeps its type. The plaintext under the
 * AEAD is one tag byte followed by the value's bytes:
 *
 * | tag | type | bytes |
 * |---|---|---|
 * | `0x01` | string | UTF-8 |
 * | `0x02` | number (finite) | IEEE 754 binary64, big-endian (`-0` kept) |
 * | `0x03` | bigint | decimal ASCII, optional leading `-` |
 * | `0x04` / `0x05` | `true` / `false` | none |
 * | `0x06` | `null` | none |
 * | `0x07` | Date (valid) | milliseconds since the epoch, binary64 big-endian |
 * | `0x08` | Uint8Array | the bytes (a Node Buffer comes back as a Uint8Array) |
 * | `0x09` | JSON object or array | UTF-8 of `JSON.stringify` |
 *
 * JSON objects and arrays must be plain JSON (finite numbers, well-formed
 * strings, booleans, null, plain objects and arrays, at most 64 levels deep):
 * anything that would not come back exactly as it went in (symbol keys, extra
 * array properties, class instances, `-0`) is refused. Strings with an
 * unpaired surrogate are refused too (UTF-8 cannot carry them).
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { concatBytes, fromUtf8, isWellFormed, taggedUtf8 } from '../util/bytes.js';

/**
 * A value the codec represents.
 *
 * @example
 * ```ts
 * const values: FieldValue[] = ['text', 42, 10n, true, null, new Date(), new Uint8Array([1]), { a: [1] }];
 * ```
 * @category Encryption
 */
export type FieldValue = string | number | bigint | boolean | null | Date | Uint8Array | JsonObject | JsonArray;
/**
 * A JSON object.
 *
 * @example
 * ```ts
 * const prefs: JsonObject = { theme: 'dark', fontSize: 14 };
 * ```
 * @category Encryption
 */
export interface JsonObject {
  readonly [key: string]: JsonData;
}
/**
 * A JSON array.
 *
 * @example
 * ```ts
 * const tags: JsonArray = ['vip', 2, null];
 * ```
 * @category Encryption
 */
export type JsonArray = readonly JsonData[];
/**
 * Plain JSON data.
 *
 * @example
 * ```ts
 * const prefs: JsonData = { theme: 'dark', channels: ['email'] };
 * ```
 * @category Encryption
 */
export type JsonData = string | number | boolean | null | JsonObject | JsonArray;

const TAG = { string: 1, number: 2, bigint: 3, true: 4, false: 5, null: 6, date: 7, bytes: 8, json: 9 } as const;
const MAX_JSON_DEPTH = 64;
const BIGINT_RE = /^-?(0|[1-9][0-9]*)$/;

function unrepresentable(path: string, what: string): PurposefulError {
  return new PurposefulError('PF_INPUT_INVALID', `${path}: ${what} cannot be encrypted (the codec keeps types exactly)`, {
    paths: [path],
  });
}

function isPlainJson(v: unknown, depth: number): boolean {
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v === 'string') return isWellFormed(v);
  if (typeof v !== 'object' || depth >= MAX_JSON_DEPTH) return false;
  // anything JSON.stringify would drop or reshape (symbol keys, non-enumerable or extra array
  // properties, subclasses) would not come back as it went in: refused
  if (Object.getOwnPropertySymbols(v).length) return false;
  const names = Object.getOwnPropertyNames(v);
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || names.length !== v.length + 1) return false;
    for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlainJson(v[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  if (names.length !== Object.keys(v).length) return false;
  for (const k of names) {
    if (k === '__proto__' || !isPlainJson((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

function float64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, n);
  return b;
}

/**
 * Encodes a value with its type tag. `path` names the field in errors (never the value).
 *
 * @example
 * ```ts
 * encodeValue(new Date(0), 'createdAt'); // Uint8Array [7, 0, 0, 0, 0, 0, 0, 0, 0]
 * decodeValue(encodeValue(42n, 'n'), 'n'); // 42n
 * ```
 * @category Encryption
 */
export function encodeValue(value: unknown, path: string): Uint8Array {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw unrepresentable(path, 'a string with an unpaired surrogate');
      return taggedUtf8(TAG.string, value);
    case 'number':
      if (!Number.isFinite(value)) throw unrepresentable(path, 'a number that is not finite');
      return concatBytes(Uint8Array.of(TAG.number), float64(value));
    case 'bigint':
      return taggedUtf8(TAG.bigint, value.toString());
    case 'boolean':
      return Uint8Array.of(value ? TAG.true : TAG.false);
    case 'object': {
      if (value === null) return Uint8Array.of(TAG.null);
      if (value instanceof Date) {
        const t = value.getTime();
        if (Number.isNaN(t)) throw unrepresentable(path, 'an invalid Date');
        return concatBytes(Uint8Array.of(TAG.date), float64(t));
      }
      if (value instanceof Uint8Array) return concatBytes(Uint8Array.of(TAG.bytes), value);
      if (!isPlainJson(value, 0)) throw unrepresentable(path, 'an object that is not plain JSON data');
      return taggedUtf8(TAG.json, JSON.stringify(value));
    }
    default:
      throw unrepresentable(path, `a ${typeof value}`);
  }
}

/**
 * Decodes what {@link encodeValue} produced. Bytes that are not a valid
 * encoding are `PF_CIPHERTEXT_MALFORMED` (they passed authentication, so this
 * only happens with a foreign writer).
 *
 * @example
 * ```ts
 * decodeValue(encodeValue({ a: [1, 'x'] }, 'prefs'), 'prefs'); // { a: [1, 'x'] }
 * ```
 * @category Encryption
 */
export function decodeValue(bytes: Uint8Array, path: string): FieldValue {
  const bad = () =>
    new PurposefulError('PF_CIPHERTEXT_MALFORMED', `${path}: the decrypted value is not a valid encoding`, { paths: [path] });
  const tag = bytes[0];
  const body = bytes.subarray(1);
  const view = () => new DataView(body.buffer, body.byteOffset, body.byteLength);
  try {
    switch (tag) {
      case TAG.string:
        return fromUtf8(body);
      case TAG.number:
        if (body.length !== 8) throw bad();
        return view().getFloat64(0);
      case TAG.bigint: {
        const text = fromUtf8(body);
        if (!BIGINT_RE.test(text) || text === '-0') throw bad();
        return BigInt(text);
      }
      case TAG.true:
      case TAG.false:
      case TAG.null:
        if (body.length !== 0) throw bad();
        return tag === TAG.null ? null : tag === TAG.true;
      case TAG.date: {
        if (body.length !== 8) throw bad();
        const d = new Date(view().getFloat64(0));
        if (Number.isNaN(d.getTime())) throw bad();
        return d;
      }
      case TAG.bytes:
        return body.slice();
      case TAG.json: {
        const v = JSON.parse(fromUtf8(body)) as unknown;
        if (typeof v !== 'object' || v === null) throw bad();
        return v as JsonObject | JsonArray;
      }
      default:
        throw bad();
    }
  } catch (err) {
    if (err instanceof PurposefulError) throw err;
    throw bad();
  }
}
