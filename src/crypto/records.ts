/**
 * Sealing and opening whole records: every field declared `encrypt: true`,
 * wherever the schema puts it (nested objects, arrays, records, recursion),
 * bound to its schema, field id, subject and record id; blind-index columns
 * added on sealing.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import { type FieldInfo, type ShapeNode, shapeChildren } from '../schema/walk.js';
import { isWellFormed } from '../util/bytes.js';
import { blindIndexValue, type Normalizer, normalizeForIndex } from './blind-index.js';
import type { Envelope, Place } from './envelope.js';
import { isEnvelope, looksEncrypted, parseEnvelope } from './envelope.js';
import type { BaseKey, KeyManager } from './keys.js';
import type { KeyClass } from './keystore.js';

/** Deepest nesting sealing and opening follow. */
const MAX_DEPTH = 1000;

/**
 * The prefix of blind-index columns in a sealed row: `bidx_<index name>`.
 *
 * @example
 * ```ts
 * const row = await pf.seal(Customer, customer, ctx);
 * row[`${INDEX_COLUMN_PREFIX}cpf`]; // the blind index of the CPF: 'k-…….…'
 * ```
 * @category Encryption
 */
export const INDEX_COLUMN_PREFIX = 'bidx_';

/** What sealing and opening need to know of a schema, computed once per engine. */
export interface SchemaCrypto {
  readonly schema: PurposefulSchema;
  readonly encrypted: readonly FieldInfo[];
  readonly keyClass: ReadonlyMap<FieldInfo, KeyClass>;
  readonly classes: readonly KeyClass[];
  readonly indexes: ReadonlyArray<{
    readonly name: string;
    readonly fields: readonly FieldInfo[];
    readonly normalizers: readonly Normalizer[];
    /** The object keys leading to each field. */
    readonly keys: ReadonlyArray<readonly string[]>;
  }>;
  /** Nodes at or above an encrypted field. */
  readonly holds: ReadonlySet<ShapeNode>;
  /** Nodes at or above any personal field (`pd(...)`): what an erased subject's new data is checked through. */
  readonly holdsPersonal: ReadonlySet<ShapeNode>;
  /**
   * Per personal field, the purposes whose erasure grounds keep it after an
   * erasure (LGPD Art. 16 I–III, 7 VI; GDPR Art. 17(3)(b)–(e)); empty when none does.
   */
  readonly retainedBy: ReadonlyMap<FieldInfo, ReadonlySet<string>>;
}

/** The normalizer of a field's blind index, from its mask and category. */
export function normalizerOf(field: FieldInfo): Normalizer {
  const m = field.mask;
  if (m === 'cpf' || m === 'phone' || m === 'card') return 'digits';
  if (m === 'cnpj') return 'alnum';
  if (m === 'email' || field.category.startsWith('user.contact.email')) return 'email';
  if (m === 'name' || field.category.startsWith('user.name')) return 'name';
  if (field.category.startsWith('user.contact.phone_number') || field.category.startsWith('user.government_id')) return 'digits';
  return 'exact';
}

/**
 * The nodes of a schema's shape at or above an encrypted field, computed once
 * as a fixpoint over the whole graph (recursive schemas included: a node is in
 * the set as soon as any path from it reaches an encrypted field).
 */
export function nodesHoldingEncrypted(
  root: ShapeNode,
  holding: (field: FieldInfo) => boolean = (f) => f.encrypt,
): ReadonlySet<ShapeNode> {
  const all: ShapeNode[] = [];
  const seen = new Set<ShapeNode>();
  const stack = [root];
  while (stack.length) {
    const n = stack.pop() as ShapeNode;
    if (seen.has(n)) continue;
    seen.add(n);
    all.push(n);
    if (!n.field) stack.push(...shapeChildren(n));
  }
  const holds = new Set<ShapeNode>(all.filter((n) => n.field !== undefined && holding(n.field)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of all) {
      if (holds.has(n) || n.field) continue;
      if (shapeChildren(n).some((k) => holds.has(k))) {
        holds.add(n);
        changed = true;
      }
    }
  }
  return holds;
}

/**
 * A copy of `value` in which every encrypted field the schema declares is
 * replaced by `fn(field, value)`; everything else is kept (objects and arrays
 * on the way are copied, the rest shared). `null` and `undefined` stay.
 */
export function mapEncrypted(sc: SchemaCrypto, value: unknown, fn: (field: FieldInfo, v: unknown) => unknown): unknown {
  return mapEncryptedWith(sc, value, fn, true, sc.holds);
}

function mapEncryptedWith(
  sc: SchemaCrypto,
  value: unknown,
  fn: (field: FieldInfo, v: unknown) => unknown,
  copy: boolean,
  holds: ReadonlySet<ShapeNode>,
): unknown {
  const every = holds !== sc.holds; // walking every personal field, not only the encrypted ones
  const walk = (node: ShapeNode, v: unknown, depth: number): unknown => {
    if (v === null || v === undefined) return v;
    if (node.field) return every || node.field.encrypt ? fn(node.field, v) : v;
    if (!holds.has(node)) return v;
    if (depth > MAX_DEPTH) throw new PurposefulError('PF_LIMIT_EXCEEDED', 'the record is nested too deeply to encrypt');
    // a place that holds encrypted fields must have the declared shape, or they would pass unencrypted
    const proto = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
    const isArray = Array.isArray(v);
    if (
      typeof v !== 'object' ||
      (isArray ? !node.array && !node.tuple : (proto !== Object.prototype && proto !== null) || (!node.object && !node.record))
    ) {
      throw new PurposefulError(
        'PF_INPUT_INVALID',
        `${sc.schema.id}: a value holding ${every ? 'personal' : 'encrypted'} fields does not have the declared shape`,
        {
          schema: sc.schema.id,
        },
      );
    }
    if (isArray) {
      const out = copy ? new Array<unknown>(v.length) : undefined;
      for (let i = 0; i < v.length; i++) {
        const child = node.tuple && i < node.tuple.length ? node.tuple[i] : (node.array ?? node.tupleRest);
        const r = child ? walk(child, v[i], depth + 1) : v[i];
        if (out) out[i] = r;
      }
      return out ?? v;
    }
    const src = v as Record<string, unknown>;
    const out: Record<string, unknown> | undefined = copy ? { ...src } : undefined;
    if (node.object) {
      for (const [k, child] of node.object) {
        if (!Object.hasOwn(src, k)) continue;
        const r = walk(child, src[k], depth + 1);
        if (out) out[k] = r;
      }
    } else if (node.record) {
      for (const k of Object.keys(src)) {
        const r = walk(node.record, src[k], depth + 1);
        if (out) Object.defineProperty(out, k, { value: r, enumerable: true, writable: true, configurable: true });
      }
    }
    return out ?? v;
  };
  return walk(sc.schema.shape, value, 0);
}

/** Calls `fn` for every encrypted field value of a record (not `null`/`undefined`), copying nothing. */
export function forEachEncrypted(sc: SchemaCrypto, value: unknown, fn: (field: FieldInfo, v: unknown) => void): void {
  mapEncryptedWith(sc, value, fn, false, sc.holds);
}

/** Calls `fn` for every personal field value of a record (encrypted or not; not `null`/`undefined`), copying nothing. */
export function forEachPersonal(sc: SchemaCrypto, value: unknown, fn: (field: FieldInfo, v: unknown) => void): void {
  mapEncryptedWith(sc, value, fn, false, sc.holdsPersonal);
}

/** The place of a field's values in a record. */
export function placeOf(sc: SchemaCrypto, field: FieldInfo, subject: string | undefined, recordId: string): Place {
  return { schema: sc.schema.id, field: field.id, subject: subject ?? '', record: recordId };
}

/** The record id a schema binds values to (`''` when it declares none). */
export function recordIdOf(schema: PurposefulSchema, record: unknown): string {
  if (!schema.recordId) return '';
  const v = (record as Record<string, unknown> | null)?.[schema.recordId];
  if (
    (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') ||
    v === '' ||
    (typeof v === 'string' && !isWellFormed(v))
  ) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `${schema.recordId}: the record id is needed to bind encrypted values to their record`,
      {
        paths: [schema.recordId],
        schema: schema.id,
      },
    );
  }
  return String(v);
}

/** Seals every encrypted field of a record and adds its blind-index columns. */
export function sealRecord(
  km: KeyManager,
  sc: SchemaCrypto,
  record: unknown,
  subject: string | undefined,
  bases: ReadonlyMap<KeyClass, BaseKey>,
  indexBits: number,
): Record<string, unknown> {
  const recordId = recordIdOf(sc.schema, record);
  const out = mapEncrypted(sc, record, (field, v) => {
    if (isEnvelope(v)) {
      throw new PurposefulError(
        'PF_INPUT_INVALID',
        `${field.path}: the value is already encrypted (sealing twice would lose it)`,
        {
          paths: [field.path],
        },
      );
    }
    const base = bases.get(sc.keyClass.get(field) ?? 'erasable') as BaseKey;
    return km.seal(v, base, placeOf(sc, field, subject, recordId), field.path);
  }) as Record<string, unknown>;
  for (const index of sc.indexes) {
    const parts: string[] = [];
    for (let i = 0; i < index.fields.length; i++) {
      const n = normalizeForIndex(index.normalizers[i] as Normalizer, valueAt(record, index.keys[i] as readonly string[]));
      if (n === undefined) break;
      parts.push(n);
    }
    const [primary] = km.indexKeys(index.name);
    out[INDEX_COLUMN_PREFIX + index.name] =
      parts.length === index.fields.length && primary ? blindIndexValue(primary.kid, primary.key, parts, indexBits) : null;
  }
  return out;
}

/** The value at a key path through objects (fields with an index are never inside arrays). */
export function valueAt(record: unknown, keys: readonly string[]): unknown {
  let v: unknown = record;
  for (const seg of keys) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/**
 * The visible encrypted values of a row parsed once, by their text: what
 * {@link kidsToOpen} found, for {@link openRecord} to open without parsing again.
 */
export type ParsedEnvelopes = ReadonlyMap<string, Envelope>;

/**
 * The distinct key ids the visible encrypted fields of a row are sealed under (with the path of a field under each),
 * and every visible value parsed; a plaintext value there is `PF_NOT_ENCRYPTED`, a malformed one
 * `PF_CIPHERTEXT_MALFORMED`.
 */
export function kidsToOpen(
  sc: SchemaCrypto,
  row: unknown,
  visible: ReadonlySet<FieldInfo>,
): { kids: Map<string, string>; parsed: ParsedEnvelopes } {
  const kids = new Map<string, string>();
  const parsed = new Map<string, Envelope>();
  forEachEncrypted(sc, row, (field, v) => {
    if (!visible.has(field)) return;
    if (!looksEncrypted(v)) {
      throw new PurposefulError(
        'PF_NOT_ENCRYPTED',
        `${field.path} is declared encrypted but holds a plaintext value: open() reads stored rows (use outbound() for plaintext records)`,
        { paths: [field.path], schema: sc.schema.id },
      );
    }
    if (parsed.has(v)) return;
    const env = parseEnvelope(v, field.path);
    parsed.set(v, env);
    if (!kids.has(env.kid)) kids.set(env.kid, field.path);
  });
  return { kids, parsed };
}

/**
 * Opens the visible encrypted fields of a row; the others stay sealed (projection drops them). Values found in
 * `parsed` are not parsed again.
 */
export function openRecord(
  km: KeyManager,
  sc: SchemaCrypto,
  row: unknown,
  subject: string | undefined,
  visible: ReadonlySet<FieldInfo>,
  bases: ReadonlyMap<string, BaseKey>,
  parsed?: ParsedEnvelopes,
): unknown {
  const recordId = recordIdOf(sc.schema, row);
  return mapEncrypted(sc, row, (field, v) => {
    if (!visible.has(field)) return v;
    const env = (typeof v === 'string' ? parsed?.get(v) : undefined) ?? parseEnvelope(v, field.path);
    const base = bases.get(env.kid);
    if (!base) throw new PurposefulError('PF_KEY_NOT_FOUND', `${field.path}: no key for this value`, { paths: [field.path] });
    return km.openEnvelope(env, base, placeOf(sc, field, subject, recordId), field.path);
  });
}

/** The object keys leading from the root to a field outside arrays, or `undefined`. */
export function keysOf(root: ShapeNode, field: FieldInfo): string[] | undefined {
  const seen = new Set<ShapeNode>();
  const find = (node: ShapeNode, path: string[]): string[] | undefined => {
    if (node.field === field) return path;
    if (seen.has(node) || !node.object) return undefined;
    seen.add(node);
    for (const [k, child] of node.object) {
      const r = find(child, [...path, k]);
      if (r) return r;
    }
    return undefined;
  };
  return find(root, []);
}
