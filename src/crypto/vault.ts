/**
 * The engine's encryption side: sealing and opening records, blind-index
 * queries, rotation and crypto-shredding. Built once by `createPurposeful`
 * when a keyring is given.
 *
 * @module
 * @internal
 */
import { importJWK, type JWK, SignJWT } from 'jose';
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import { addDuration, type Duration, parseDuration } from '../schema/duration.js';
import type { Purposes } from '../schema/purposes.js';
import { RESTRICTION_COLUMN, restrictionOf, withErasure } from '../schema/restriction.js';
import type { FieldInfo } from '../schema/walk.js';
import { base64urlEncode } from '../util/base64url.js';
import { isWellFormed, randomBytes } from '../util/bytes.js';
import type { Jwk } from '../util/jwk.js';
import type { AeadImplementation, AlgorithmId } from './aead.js';
import { blindIndexValue, type Normalizer, normalizeForIndex } from './blind-index.js';
import { encodeValue } from './codec.js';
import { looksEncrypted, parseEnvelope } from './envelope.js';
import type { KekRing } from './kek.js';
import { type BaseKey, isErasedSubject, KeyManager, type OpeningKey } from './keys.js';
import type { ErasureEntry, ErasureJournal, KeyClass, SubjectKeyStore } from './keystore.js';
import {
  forEachEncrypted,
  forEachPersonal,
  INDEX_COLUMN_PREFIX,
  keysOf,
  kidsToOpen,
  mapEncrypted,
  nodesHoldingEncrypted,
  normalizerOf,
  openRecord,
  type ParsedEnvelopes,
  placeOf,
  recordIdOf,
  type SchemaCrypto,
  sealRecord,
} from './records.js';

/**
 * A key that signs erasure receipts (JWS): a JWK, a CryptoKey or a KeyObject, with its JWS algorithm.
 *
 * @example
 * ```ts
 * const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
 * const receipts: ReceiptSigner = { key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'erasure-2026', issuer: 'https://example.com' };
 * ```
 * @category Encryption
 */
export interface ReceiptSigner {
  readonly key: Jwk | CryptoKey | Uint8Array | { readonly type: string };
  readonly alg: string;
  readonly kid?: string;
  /** The `iss` of receipts: who erased. */
  readonly issuer?: string;
}

/**
 * What the vault is built from: the settings of `EncryptionOptions` (see
 * `./encryption.ts`, where each is documented) over a ring of keys.
 */
export interface VaultSettings {
  readonly keyStore?: SubjectKeyStore;
  readonly erasureJournal?: ErasureJournal;
  readonly algorithm?: AlgorithmId;
  readonly implementation?: AeadImplementation;
  readonly keyCacheSize?: number;
  readonly keyCacheTtlMs?: number;
  readonly indexBits?: number;
  readonly receipts?: ReceiptSigner;
  readonly backupMaxAge?: string;
}

/** The vault's settings and the keyring's keys. */
export interface VaultOptions extends VaultSettings {
  readonly keys: KekRing;
}

/**
 * What `shred` did.
 *
 * @example
 * ```ts
 * const result = await pf.shred(customerId, { rows: [{ schema: Customer, rows: storedRows }] });
 * result.erased;      // data keys erased now
 * result.retained;    // [{ keyId, until, purposes: ['billing.invoice'] }]
 * result.indexValues; // { bidx_cpf: [...] }: null these columns
 * result.receipt;     // compact JWS, keep it as evidence
 * ```
 * @category Encryption
 */
export interface ShredResult {
  readonly subject: string;
  /** Data keys erased now: every value under them is unreadable, `PF_SUBJECT_ERASED`. */
  readonly erased: readonly string[];
  /** Data keys kept because an erasure ground keeps their fields (LGPD Art. 16; GDPR Art. 17(3)), and until when. */
  readonly retained: ReadonlyArray<{ readonly keyId: string; readonly until: string; readonly purposes: readonly string[] }>;
  /** Blind-index values found in the given rows, by column: null them (an index value is a keyed hash of the erased data). */
  readonly indexValues: Readonly<Record<string, readonly string[]>>;
  /** When the erasure has reached every key-store backup (now + backupMaxAge). */
  readonly backupsClearBy: string;
  /** The erasure receipt: a compact JWS over the above (no personal data beyond the subject reference). */
  readonly receipt: string;
}

/**
 * Progress of a long operation.
 *
 * @example
 * ```ts
 * await pf.rewrapDataKeys((p) => console.log(`${p.done} subjects, ${p.changed} keys rewrapped`));
 * ```
 * @category Encryption
 */
export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly changed: number;
}

/**
 * Progress of `rotate`, with the batch just finished: persist `rows` (they replace `rows` from index `from`).
 *
 * @example
 * ```ts
 * const onProgress = async (p: RotateProgress) => { await db.replaceRows(p.from, p.rows); console.log(p.done, '/', p.total); };
 * ```
 * @category Encryption
 */
export interface RotateProgress extends Progress {
  readonly from: number;
  readonly rows: readonly unknown[];
}

/**
 * Options of `rotate`.
 *
 * @example
 * ```ts
 * await pf.rotate(Settings, rows, { batchSize: 500, onProgress: (p) => db.save(p.from, p.rows) });
 * ```
 * @category Encryption
 */
export interface RotateOptions {
  /** Rows per batch (default 100). */
  readonly batchSize?: number;
  /**
   * Called after each batch with its rows, re-encrypted where needed: write them
   * back there. If the process dies, run `rotate` again on the rows as stored:
   * rows already done are left as they are, and every row is readable at any point.
   */
  readonly onProgress?: (p: RotateProgress) => void | Promise<void>;
}

function invalid(message: string): PurposefulError {
  return new PurposefulError('PF_OPTIONS_INVALID', message);
}

/** @internal */
export class Vault {
  readonly km: KeyManager;
  readonly #bySchema = new Map<PurposefulSchema, SchemaCrypto>();
  readonly #indexBits: number;
  readonly #journal: ErasureJournal | undefined;
  readonly #receipts: ReceiptSigner | undefined;
  readonly #backupMaxAge: Duration;
  /** Purposes whose erasure grounds keep retained keys alive, and the longest of their retentions. */
  readonly #retainedFor: { purposes: string[]; durations: Duration[] };
  readonly #purposes: Purposes;

  constructor(options: VaultOptions, purposes: Purposes, schemas: readonly PurposefulSchema[]) {
    const algorithm = options.algorithm ?? 'xc20';
    if (algorithm !== 'xc20' && algorithm !== 'gsiv') throw invalid("algorithm must be 'xc20' or 'gsiv'");
    const implementation = options.implementation ?? 'auto';
    if (implementation !== 'auto' && implementation !== 'noble') throw invalid("implementation must be 'auto' or 'noble'");
    const cacheSize = options.keyCacheSize ?? 10_000;
    if (!Number.isInteger(cacheSize) || cacheSize < 16) throw invalid('keyCacheSize must be an integer of at least 16');
    this.#indexBits = options.indexBits ?? 64;
    if (!Number.isInteger(this.#indexBits) || this.#indexBits % 8 !== 0 || this.#indexBits < 16 || this.#indexBits > 256) {
      throw invalid('indexBits must be a multiple of 8 from 16 to 256');
    }
    const backup = parseDuration(options.backupMaxAge ?? 'P30D');
    if (!backup) throw invalid('backupMaxAge must be an ISO-8601 duration such as P30D');
    this.#backupMaxAge = backup;
    if (options.receipts && (typeof options.receipts.alg !== 'string' || !options.receipts.key)) {
      throw invalid('receipts must be { key, alg } (for instance an Ed25519 private JWK and "EdDSA")');
    }
    this.#receipts = options.receipts;
    this.#journal = options.erasureJournal;
    const cacheTtlMs = options.keyCacheTtlMs ?? 30_000;
    if (!Number.isInteger(cacheTtlMs) || cacheTtlMs < 0) throw invalid('keyCacheTtlMs must be a non-negative integer');
    this.km = new KeyManager({
      keyring: options.keys,
      store: options.keyStore,
      algorithm,
      implementation,
      cacheSize,
      cacheTtlMs,
    });

    this.#purposes = purposes;
    const retained = { purposes: new Set<string>(), durations: [] as Duration[] };
    for (const schema of schemas) {
      const keyClass = new Map<FieldInfo, KeyClass>();
      const encrypted = schema.fields.filter((f) => f.encrypt);
      // the purposes whose erasure grounds keep a field (LGPD Art. 16 I–III, 7 VI; GDPR Art. 17(3)(b)–(e)): a field any
      // of them keeps goes under the retained key
      const keepersOf = (f: FieldInfo) =>
        [...f.access.keys()].filter((pid) => (purposes.get(pid)?.erasureGrounds.length ?? 0) > 0);
      const retainedBy = new Map<FieldInfo, ReadonlySet<string>>(schema.fields.map((f) => [f, new Set(keepersOf(f))]));
      for (const f of encrypted) {
        const legal = keepersOf(f);
        keyClass.set(f, legal.length ? 'retained' : 'erasable');
        for (const pid of legal) {
          retained.purposes.add(pid);
          const d = purposes.get(pid)?.retention.duration;
          if (d) retained.durations.push(d);
        }
      }
      if (!schema.subject && encrypted.length && algorithm === 'gsiv') {
        throw invalid(
          `schema "${schema.id}" has no subject: AES-GCM-SIV with random 96-bit nonces is only used under keys bounded per subject and field; use 'xc20' or declare the subject`,
        );
      }
      if (schema.subject && encrypted.length && !options.keyStore) {
        throw invalid(
          `schema "${schema.id}" has a subject and encrypted fields: give createPurposeful a keyStore for its data keys`,
        );
      }
      this.#bySchema.set(schema, {
        schema,
        encrypted,
        keyClass,
        classes: [...new Set(keyClass.values())],
        indexes: schema.indexes.map((ix) => ({
          name: ix.name,
          fields: ix.fields,
          normalizers: ix.fields.map(normalizerOf),
          keys: ix.fields.map((f) => keysOf(schema.shape, f) ?? []),
        })),
        holds: nodesHoldingEncrypted(schema.shape),
        holdsPersonal: nodesHoldingEncrypted(schema.shape, () => true),
        retainedBy,
      });
    }
    this.#retainedFor = { purposes: [...retained.purposes], durations: retained.durations };
  }

  sc(schema: PurposefulSchema): SchemaCrypto {
    return this.#bySchema.get(schema) as SchemaCrypto;
  }

  #subject(sc: SchemaCrypto, subjectId: string | undefined): string | undefined {
    if (!sc.schema.subject) return undefined;
    if (!subjectId) {
      throw new PurposefulError(
        'PF_SUBJECT_MISSING',
        `schema "${sc.schema.id}": encryption binds values to their subject, and the record has no ${sc.schema.subject.id ?? 'subject id'} (nor the context a subjectId)`,
        { schema: sc.schema.id },
      );
    }
    if (!isWellFormed(subjectId)) {
      throw new PurposefulError('PF_INPUT_INVALID', `schema "${sc.schema.id}": the subject id is not well-formed text`, {
        schema: sc.schema.id,
      });
    }
    return subjectId;
  }

  /**
   * Seals a record: every encrypted field, plus its blind-index columns. For a
   * subject that was erased, only what an erasure ground keeps may be stored
   * (LGPD Art. 16; GDPR Art. 17(3)): every personal field present must be
   * retained by `purpose` (by any ground when no purpose is given, as for a
   * correction), and encrypted ones go under the retained key still held,
   * which keeps its `retainUntil`. Anything else is `PF_SUBJECT_ERASED`. The
   * sealed row then carries the erasure in its restriction column, so that
   * its fields in clear open only for the purposes that keep them too.
   */
  async seal(
    schema: PurposefulSchema,
    record: unknown,
    subjectId: string | undefined,
    purpose?: string,
  ): Promise<Record<string, unknown>> {
    const sc = this.sc(schema);
    const subject = this.#subject(sc, subjectId);
    if (subject === undefined) {
      const bases = new Map<KeyClass, BaseKey>();
      for (const c of sc.classes) bases.set(c, this.km.rootForSeal(schema.id));
      return sealRecord(this.km, sc, record, subject, bases, this.#indexBits);
    }
    // a schema that encrypts nothing needs no key store; with one, an erased subject is refused all the same
    if (sc.classes.length === 0 && !this.km.hasStore) return sealRecord(this.km, sc, record, subject, new Map(), this.#indexBits);
    const keys = await this.km.sealingKeys(subject, sc.classes);
    if (!keys.erased) return sealRecord(this.km, sc, record, subject, keys.bases, this.#indexBits);
    this.#onlyRetained(sc, record, purpose, keys.bases.has('retained'));
    const sealed = sealRecord(this.km, sc, record, subject, keys.bases, this.#indexBits);
    const at = keys.erasedAt ?? new Date().toISOString();
    Object.defineProperty(sealed, RESTRICTION_COLUMN, {
      value: withErasure(restrictionOf(record, sc.schema.id), at),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return sealed;
  }

  /** Refuses new data for an erased subject unless every personal field in it is kept by law, for `purpose`. */
  #onlyRetained(sc: SchemaCrypto, record: unknown, purpose: string | undefined, held: boolean): void {
    const refused = new Set<string>();
    forEachPersonal(sc, record, (field) => {
      const by = sc.retainedBy.get(field);
      const kept = by !== undefined && by.size > 0 && (purpose === undefined || by.has(purpose));
      if (!kept || (field.encrypt && !held)) refused.add(field.path);
    });
    if (refused.size === 0) return;
    const paths = [...refused];
    throw new PurposefulError(
      'PF_SUBJECT_ERASED',
      `the subject was erased: only what an erasure ground keeps may be stored for it, under the purpose that keeps it, until its retention ends (LGPD Art. 16; GDPR Art. 17(3)); refused: ${paths.join(', ')}`,
      { schema: sc.schema.id, paths, ...(purpose !== undefined ? { purpose } : {}), article: 'LGPD Art. 16; GDPR Art. 17(3)' },
    );
  }

  /**
   * Opens the fields of a row that `visible` names (the purpose may see them).
   * With a `purpose`, a value under a retained key kept past the subject's
   * erasure opens only when that purpose's erasure ground keeps its field, until
   * its retention counted from the erasure ends (LGPD Art. 16; GDPR Art. 17(3)):
   * else `PF_SUBJECT_RESTRICTED`, or `PF_SUBJECT_ERASED` once that retention is
   * over. Without one (the rights desk answering the subject, the sweeps) every
   * held key opens.
   */
  async open(
    schema: PurposefulSchema,
    row: unknown,
    subjectId: string | undefined,
    visible: ReadonlySet<FieldInfo>,
    purpose?: string,
  ): Promise<unknown> {
    const sc = this.sc(schema);
    if (visible.size === 0) return row;
    const subject = this.#subject(sc, subjectId);
    const { kids, parsed } = kidsToOpen(sc, row, visible);
    const bases = new Map<string, BaseKey>();
    let kept: Map<string, string> | undefined;
    for (const [kid, path] of kids) {
      const base: OpeningKey = await this.#baseForOpen(sc, subject, kid, path);
      bases.set(kid, base);
      if (base.keptSince !== undefined) {
        kept ??= new Map();
        kept.set(kid, base.keptSince);
      }
    }
    if (kept && purpose !== undefined) this.#assertKept(sc, row, visible, purpose, kept, parsed);
    return openRecord(this.km, sc, row, subject, visible, bases, parsed);
  }

  /** Refuses the values under kept retained keys that `purpose` does not keep, or keeps no longer. */
  #assertKept(
    sc: SchemaCrypto,
    row: unknown,
    visible: ReadonlySet<FieldInfo>,
    purpose: string,
    kept: ReadonlyMap<string, string>,
    parsed: ParsedEnvelopes,
  ): void {
    const restricted = new Set<string>();
    const over = new Set<string>();
    const duration = this.#purposes.get(purpose)?.retention.duration;
    forEachEncrypted(sc, row, (field, v) => {
      if (!visible.has(field)) return;
      const since = kept.get(((typeof v === 'string' ? parsed.get(v) : undefined) ?? parseEnvelope(v, field.path)).kid);
      if (since === undefined) return;
      if (!sc.retainedBy.get(field)?.has(purpose)) restricted.add(field.path);
      else if (since !== '' && (!duration || addDuration(new Date(since), duration).getTime() <= Date.now())) {
        over.add(field.path);
      }
    });
    const article = 'LGPD Art. 16; GDPR Art. 17(3)';
    if (over.size) {
      const paths = [...over];
      throw new PurposefulError(
        'PF_SUBJECT_ERASED',
        `the subject was erased and what purpose "${purpose}" kept of ${paths.join(', ')} has reached the end of its retention`,
        { schema: sc.schema.id, purpose, paths, article },
      );
    }
    if (restricted.size) {
      const paths = [...restricted];
      throw new PurposefulError(
        'PF_SUBJECT_RESTRICTED',
        `the subject was erased: ${paths.join(', ')} is kept only for the purposes whose erasure ground keeps it, not for "${purpose}" (${article})`,
        { schema: sc.schema.id, purpose, paths, article },
      );
    }
  }

  async #baseForOpen(sc: SchemaCrypto, subject: string | undefined, kid: string, path: string): Promise<OpeningKey> {
    if (subject !== undefined) return this.km.dataKeyForOpen(subject, kid, path);
    if (!this.km.keyring.has(kid))
      throw new PurposefulError('PF_KEY_NOT_FOUND', `${path}: the keyring has no key with this value's key id`, {
        paths: [path],
      });
    return this.km.rootFor(sc.schema.id, kid);
  }

  /** Blind-index values of an index for a value (or the values of a compound index), one per keyring key. */
  indexFor(schema: PurposefulSchema, name: string, value: unknown): string[] {
    const sc = this.sc(schema);
    const ix = sc.indexes.find((i) => i.name === name || (i.fields.length === 1 && i.fields[0]?.path === name));
    if (!ix) throw invalid(`schema "${schema.id}" has no blind index "${name}"`);
    const values = ix.fields.length === 1 ? [value] : value;
    if (!Array.isArray(values) || values.length !== ix.fields.length) {
      throw invalid(`index "${ix.name}" combines ${ix.fields.length} fields: pass their values as an array, in order`);
    }
    const parts = values.map((v, i) => normalizeForIndex(ix.normalizers[i] as Normalizer, v));
    if (parts.some((p) => p === undefined)) throw invalid(`index "${ix.name}": a value to search for is missing`);
    return this.km.indexKeys(ix.name).map((k) => blindIndexValue(k.kid, k.key, parts as string[], this.#indexBits));
  }

  /** Re-encrypts the values of rows that are not under the current key and algorithm. */
  async rotate(
    schema: PurposefulSchema,
    rows: readonly unknown[],
    subjectOf: (row: unknown) => string | undefined,
    options: RotateOptions,
  ): Promise<{ rows: unknown[]; changed: number }> {
    const sc = this.sc(schema);
    const batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw invalid('batchSize must be a positive integer');
    if (!Array.isArray(rows)) throw invalid('rotate() takes an array of rows');
    // refuse to start if any value names a key nobody has: nothing is changed then
    const basesPerRow: Array<Map<string, BaseKey | null>> = [];
    for (const row of rows) {
      const subject = this.#subject(sc, subjectOf(row));
      const bases = new Map<string, BaseKey | null>();
      const kids = new Set<string>();
      forEachEncrypted(sc, row, (field, v) => {
        if (!looksEncrypted(v)) {
          throw new PurposefulError('PF_NOT_ENCRYPTED', `${field.path} holds a plaintext value: seal rows before rotating them`, {
            paths: [field.path],
          });
        }
        kids.add(parseEnvelope(v, field.path).kid);
      });
      for (const kid of kids) {
        try {
          bases.set(kid, await this.#baseForOpen(sc, subject, kid, schema.id));
        } catch (err) {
          if ((err as PurposefulError).code !== 'PF_SUBJECT_ERASED') throw err;
          bases.set(kid, null); // erased: unreadable by design, left as it is
        }
      }
      basesPerRow.push(bases);
    }
    const out: unknown[] = [];
    let changed = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const subject = this.#subject(sc, subjectOf(row));
      const recordId = recordIdOf(schema, row);
      const current = new Map<KeyClass, BaseKey>();
      /** For an erased subject: the retained key each key id's retained values stay under (none: left as they are). */
      let retainedTargets: Map<string, BaseKey | undefined> | undefined;
      if (subject === undefined) for (const c of sc.classes) current.set(c, this.km.rootForSeal(schema.id));
      else {
        const keys = await this.km.sealingKeys(subject, sc.classes);
        if (keys.erased) {
          // an erased subject gets no new key: a retained value stays under its retained key (and its retainUntil),
          // or goes under the one still held; an erasable one is left as it is
          retainedTargets = new Map();
          for (const kid of basesPerRow[i]?.keys() ?? []) retainedTargets.set(kid, await this.km.retainedKeyFor(subject, kid));
        } else for (const [c, b] of keys.bases) current.set(c, b);
      }
      let rowChanged = false;
      const next = mapEncrypted(sc, row, (field, v) => {
        const env = parseEnvelope(v, field.path);
        const keyClass = sc.keyClass.get(field) ?? 'erasable';
        const target = retainedTargets
          ? keyClass === 'retained'
            ? retainedTargets.get(env.kid)
            : undefined
          : (current.get(keyClass) as BaseKey);
        if (!target || (env.kid === target.kid && env.alg === this.km.algorithm)) return v;
        const old = basesPerRow[i]?.get(env.kid);
        if (!old) return v;
        const place = placeOf(sc, field, subject, recordId);
        const plain = this.km.open(v as string, old, place, field.path);
        const sealed = this.km.seal(plain, target, place, field.path);
        const check = encodeValue(this.km.open(sealed, target, place, field.path), field.path);
        const want = encodeValue(plain, field.path);
        if (check.length !== want.length || check.some((b, j) => b !== want[j])) {
          throw new PurposefulError(
            'PF_DECRYPTION_FAILED',
            `${field.path}: the re-encrypted value did not verify; the row is left unchanged`,
            {
              paths: [field.path],
            },
          );
        }
        rowChanged = true;
        return sealed;
      });
      out.push(rowChanged ? next : row);
      if (rowChanged) changed++;
      if ((i + 1) % batchSize === 0 || i + 1 === rows.length) {
        const from = Math.floor(i / batchSize) * batchSize;
        await options.onProgress?.({ done: i + 1, total: rows.length, changed, from, rows: out.slice(from, i + 1) });
      }
    }
    return { rows: out, changed };
  }

  /** Rewraps every live data key that is not under the primary keyring key. Data is not touched. */
  async rewrapDataKeys(onProgress?: (p: Progress) => void | Promise<void>): Promise<number> {
    const store = this.km.store;
    let done = 0;
    let changed = 0;
    for await (const subject of store.subjects()) {
      for (const record of await store.keys(subject)) {
        if (record.erasedAt || record.kek === this.km.keyring.primary) continue;
        const dek = this.km.unwrap(subject, record);
        // a shred may have run since the read: never write over a tombstone
        const current = (await store.keys(subject)).find((r) => r.id === record.id);
        if (!current || current.erasedAt) continue;
        const { kek, wrapped } = this.km.wrap(subject, record.keyClass, record.id, dek);
        // the record as it is now: a retention set since the first read is kept (the store keeps it too)
        await store.update(subject, { ...current, kek, wrapped });
        changed++;
      }
      done++;
      await onProgress?.({ done, total: done, changed });
    }
    return changed;
  }

  async #erase(subject: string, ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    // journal first: an erasure journaled but not done is redone by a replay; the reverse would be lost
    await this.#journal?.append({ subject, keyIds: [...ids], at: at.toISOString() });
    const store = this.km.store;
    for (const record of await store.keys(subject)) {
      if (ids.includes(record.id) && !record.erasedAt) {
        const { retainUntil: _kept, ...rest } = record;
        await store.update(subject, { ...rest, wrapped: '', erasedAt: at.toISOString() });
      }
    }
    this.km.forget(subject);
  }

  /** Crypto-shreds a subject. */
  async shred(
    subject: string,
    options: { rows?: ReadonlyArray<{ readonly schema: PurposefulSchema; readonly rows: readonly unknown[] }>; now?: Date },
  ): Promise<ShredResult> {
    if (!this.#receipts)
      throw invalid('shred() signs an erasure receipt: configure createPurposeful({ encryption: { receipts: { key, alg } } })');
    if (typeof subject !== 'string' || subject.length === 0) throw invalid('shred() needs the subject id');
    const now = options.now ?? new Date();
    const store = this.km.store;
    const erased: string[] = [];
    const retained: Array<{ keyId: string; until: string; purposes: string[] }> = [];
    let until = now;
    for (const d of this.#retainedFor.durations) {
      const t = addDuration(now, d);
      if (t.getTime() > until.getTime()) until = t;
    }
    let records = await store.keys(subject);
    if (!isErasedSubject(records) && !records.some((r) => r.keyClass === 'erasable')) {
      // the erasure is remembered even for a subject without keys (or with a retained key only): a tombstone, so no
      // key is ever made for it later, and its time tells until when what a ground keeps still opens
      const id = `d${base64urlEncode(randomBytes(12))}`;
      const { kek, wrapped } = this.km.wrap(subject, 'erasable', id, randomBytes(32));
      await store.create(subject, { id, keyClass: 'erasable', kek, wrapped, createdAt: now.toISOString() });
      records = await store.keys(subject);
    }
    // twice: a key another writer created while the first pass ran is caught by the second (after the first
    // erasure is stored, the store refuses to create any more)
    for (let pass = 0; pass < 2; pass++) {
      const ids: string[] = [];
      for (const record of records) {
        if (record.erasedAt || erased.includes(record.id) || retained.some((r) => r.keyId === record.id)) continue;
        const running = record.retainUntil !== undefined ? record.retainUntil > now.toISOString() : until > now;
        if (record.keyClass === 'retained' && running) {
          // a retention already running is never pushed back by a later erasure: it ends when it was set to end
          const keep = record.retainUntil ?? until.toISOString();
          if (record.retainUntil === undefined) await store.update(subject, { ...record, retainUntil: keep });
          retained.push({ keyId: record.id, until: keep, purposes: this.#retainedFor.purposes });
        } else ids.push(record.id);
      }
      await this.#erase(subject, ids, now);
      erased.push(...ids);
      if (pass === 0) records = await store.keys(subject);
    }
    const indexValues: Record<string, string[]> = {};
    for (const group of options.rows ?? []) {
      for (const row of group.rows) {
        for (const [k, v] of Object.entries((row ?? {}) as Record<string, unknown>)) {
          if (!k.startsWith(INDEX_COLUMN_PREFIX) || typeof v !== 'string') continue;
          const list = indexValues[k] ?? [];
          list.push(v);
          indexValues[k] = list;
        }
      }
    }
    const backupsClearBy = addDuration(now, this.#backupMaxAge).toISOString();
    const receipt = await this.#sign({ subject, erased, retained, backupsClearBy }, now);
    return Object.freeze({ subject, erased, retained, indexValues, backupsClearBy, receipt });
  }

  async #sign(claims: Record<string, unknown>, now: Date): Promise<string> {
    const r = this.#receipts as ReceiptSigner;
    const key =
      r.key instanceof Uint8Array || (typeof r.key === 'object' && r.key !== null && 'type' in r.key)
        ? (r.key as CryptoKey)
        : await importJWK(r.key as JWK, r.alg);
    const jwt = new SignJWT({ purpose: 'erasure', ...claims })
      .setProtectedHeader({ alg: r.alg, typ: 'purposeful-erasure+jwt', ...(r.kid ? { kid: r.kid } : {}) })
      .setSubject(claims.subject as string)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setJti(base64urlEncode(randomBytes(12)));
    if (r.issuer) jwt.setIssuer(r.issuer);
    return jwt.sign(key as CryptoKey);
  }

  /**
   * Erases retained keys whose retention has ended. Once an erased subject has
   * no retention left running, any key of it still live goes too (a key made
   * after the erasure by an earlier version, or by a store that raced it):
   * nothing of an erased subject stays openable past its retention.
   */
  async purgeRetained(now: Date): Promise<number> {
    const store = this.km.store;
    const at = now.toISOString();
    let n = 0;
    for await (const subject of store.subjects()) {
      const records = await store.keys(subject);
      if (!isErasedSubject(records)) continue;
      const held = records.filter((r) => !r.erasedAt);
      const due = held.filter((r) => r.retainUntil !== undefined && r.retainUntil <= at);
      const running = held.some((r) => r.retainUntil !== undefined && r.retainUntil > at);
      const stray = running ? [] : held.filter((r) => r.retainUntil === undefined);
      await this.#erase(
        subject,
        [...due, ...stray].map((r) => r.id),
        now,
      );
      n += due.length;
    }
    return n;
  }

  /** Replays erasures (after a key-store restore): keys the journal says were erased are erased again. */
  async replayErasures(entries?: Iterable<ErasureEntry> | AsyncIterable<ErasureEntry>): Promise<number> {
    const source = entries ?? this.#journal?.entries();
    if (!source) throw invalid('replayErasures() needs the journal entries, or createPurposeful({ erasureJournal })');
    const store = this.km.store;
    let n = 0;
    for await (const e of source as AsyncIterable<ErasureEntry>) {
      for (const record of await store.keys(e.subject)) {
        if (e.keyIds.includes(record.id) && !record.erasedAt) {
          const { retainUntil: _kept, ...rest } = record;
          await store.update(e.subject, { ...rest, wrapped: '', erasedAt: e.at });
          n++;
        }
      }
      this.km.forget(e.subject);
    }
    return n;
  }
}
