/**
 * The key hierarchy at work:
 *
 * ```
 * keyring KEK (primary wraps, older ones unwrap)
 *   ├─ wraps ──▶ subject data key (random 256-bit, one per subject and key class)
 *   │              └─ HKDF "field" (schema, field, alg) ──▶ field key ──▶ AEAD of one value
 *   ├─ HKDF "root" (schema) ──▶ schema root (schemas without a subject)
 *   │              └─ HKDF "field" (schema, field, alg) ──▶ field key
 *   └─ HKDF "index" (index name) ──▶ blind-index key (one per KEK: versioned)
 * ```
 *
 * Unwrapped data keys and derived keys sit in a bounded LRU cache (deriving on
 * every call would halve throughput); a subject's entries leave it the moment
 * it is shredded. A derived key is cached under what it is bound to (the
 * subject and data key id, or the schema and keyring key, then the schema,
 * field and algorithm), never under a key id alone: two subjects whose data
 * keys happen to share an id never share a cached key.
 *
 * Once a subject is erased (any of its keys erased or kept past a shredding),
 * it never gets a new live key: new values may only go under a retained key
 * that is still held, which keeps its `retainUntil`.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import { base64urlDecode, base64urlEncode } from '../util/base64url.js';
import { lengthPrefixed, randomBytes, utf8 } from '../util/bytes.js';
import { type Aead, type AeadImplementation, type AlgorithmId, aeads } from './aead.js';
import { decodeValue, encodeValue } from './codec.js';
import { type Envelope, formatEnvelope, MAX_ENVELOPE_LENGTH, type Place, parseEnvelope } from './envelope.js';
import { derive, expand, extract, type KekRing, kekBytes, type Prk } from './kek.js';
import type { DataKeyRecord, KeyClass, SubjectKeyStore } from './keystore.js';

const WRAP_PREFIX = 'pfk1.';

/**
 * A bounded cache that evicts the oldest entry first. Hits do not reorder
 * (reordering on every hit cost more than the rare re-derivation it saves).
 */
class Lru<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}
  get(k: string): V | undefined {
    return this.#map.get(k);
  }
  set(k: string, v: V): void {
    this.#map.set(k, v);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }
  deleteWhere(test: (k: string) => boolean): void {
    for (const k of [...this.#map.keys()]) if (test(k)) this.#map.delete(k);
  }
}

/**
 * A cached data key. `keptSince` (a retained key kept past the subject's
 * erasure, LGPD Art. 16; GDPR Art. 17(3)) lives in the same entry as the key:
 * no eviction can leave the key cached without its restriction.
 */
interface DekEntry {
  readonly key: Uint8Array;
  /** When it was read from the store, and the store's erasure version then. */
  readonly at: number;
  readonly version: number;
  /** The subject's erasure time (`''`: unknown) when this is a retained key kept past it. */
  readonly keptSince: string | undefined;
}

/** A field key with the constant head of its associated data (everything but subject and record). */
interface FieldEntry {
  readonly key: Uint8Array;
  readonly adHead: Uint8Array;
  /** The associated data of the last place seen: the fields of a record repeat it (and rows re-read one by one). */
  last?: { subject: string; record: string; ad: Uint8Array };
}

/** The associated data of a field at a place, reusing the last one when the place repeats. */
function adOf(f: FieldEntry, subject: string, record: string): Uint8Array {
  const last = f.last;
  if (last && last.subject === subject && last.record === record) return last.ad;
  const ad = withPlace(f.adHead, subject, record);
  f.last = { subject, record, ad };
  return ad;
}

/** How long the id of a subject's live data key is trusted without asking the store again (ms). */
const LIVE_KEY_TTL_MS = 5_000;

/** The last place's tail bytes: the fields of one record share subject and record. */
let lastTail: { subject: string; record: string; s: Uint8Array; r: Uint8Array } | undefined;

/** The associated data: the cached head, then the length-prefixed subject and record (see envelope.ts). */
function withPlace(head: Uint8Array, subject: string, record: string): Uint8Array {
  if (!lastTail || lastTail.subject !== subject || lastTail.record !== record) {
    lastTail = { subject, record, s: utf8(subject), r: utf8(record) };
  }
  const { s, r } = lastTail;
  const out = new Uint8Array(head.length + 8 + s.length + r.length);
  const view = new DataView(out.buffer);
  out.set(head, 0);
  let o = head.length;
  view.setUint32(o, s.length);
  out.set(s, o + 4);
  o += 4 + s.length;
  view.setUint32(o, r.length);
  out.set(r, o + 4);
  return out;
}

/** A key a value is sealed under: its id (the envelope's kid) and the base key field keys derive from. */
export interface BaseKey {
  readonly kid: string;
  readonly key: Uint8Array;
  /** What the key is bound to, unambiguously: the subject and data key id, or the schema and keyring key id. */
  readonly owner: string;
}

/** The owner of a subject's data key: the subject length-prefixed (any text), then the key id (never holds `\0`). */
function dekOwner(subject: string, kid: string): string {
  return `d${subject.length}.${subject}.${kid}`;
}

/** The prefix of every owner string of a subject's data keys. */
function subjectPrefix(subject: string): string {
  return `d${subject.length}.${subject}.`;
}

/** Whether a subject's key records show an erasure: a key erased, or kept past a shredding. */
export function isErasedSubject(records: readonly DataKeyRecord[]): boolean {
  return records.some((r) => r.erasedAt !== undefined || r.retainUntil !== undefined);
}

/**
 * When the subject was first erased: the earliest erasure among its key records
 * (a shredding always leaves one tombstone), or `undefined` for a subject never
 * erased or erased by a version that left none.
 */
export function firstErasure(records: readonly DataKeyRecord[]): string | undefined {
  let first: string | undefined;
  for (const r of records) if (r.erasedAt !== undefined && (first === undefined || r.erasedAt < first)) first = r.erasedAt;
  return first;
}

/**
 * A base key to open values with. `keptSince` is set when it is a retained key
 * kept past the subject's erasure (LGPD Art. 16; GDPR Art. 17(3)): its values
 * then open only for the purposes whose ground keeps them. It holds the
 * erasure time, `''` when unknown.
 */
export interface OpeningKey extends BaseKey {
  readonly keptSince?: string;
}

/** The retained key an erased subject's retained values go under: held (not erased), the latest retention first. */
export function heldRetainedKey(records: readonly DataKeyRecord[]): DataKeyRecord | undefined {
  let best: DataKeyRecord | undefined;
  for (const r of records) {
    if (r.erasedAt || !r.retainUntil || r.keyClass !== 'retained') continue;
    if (!best || (r.retainUntil as string) > (best.retainUntil as string)) best = r;
  }
  return best;
}

function erased(what: string): PurposefulError {
  return new PurposefulError('PF_SUBJECT_ERASED', what);
}

/**
 * The keys new values of a subject go under, per key class. For a subject that
 * was erased, `erased` is true, and only `retained` may be present: the retained
 * key still held, with its `retainUntil`.
 */
export interface SealingKeys {
  readonly erased: boolean;
  readonly bases: ReadonlyMap<KeyClass, BaseKey>;
  /** For an erased subject: when it was first erased, where the key records tell. */
  readonly erasedAt?: string;
}

/** Options of the key manager. */
export interface KeyManagerOptions {
  readonly keyring: KekRing;
  readonly store: SubjectKeyStore | undefined;
  readonly algorithm: AlgorithmId;
  readonly implementation: AeadImplementation;
  readonly cacheSize: number;
  /** How long an unwrapped data key is used without asking the store again (ms): the delay after which a shredding done by another process takes effect here. */
  readonly cacheTtlMs?: number;
}

function notFound(what: string): PurposefulError {
  return new PurposefulError('PF_KEY_NOT_FOUND', what);
}

/** @internal The key manager: data keys, derived keys, the AEADs and the cache. */
export class KeyManager {
  readonly keyring: KekRing;
  readonly algorithm: AlgorithmId;
  readonly aead: Readonly<Record<AlgorithmId, Aead>>;
  readonly #store: SubjectKeyStore | undefined;
  readonly #cache: Lru<Uint8Array>;
  /** Unwrapped data keys (by owner), each with what decides whether it may still be used: one entry, evicted whole. */
  readonly #deks: Lru<DekEntry>;
  readonly #fields: Lru<FieldEntry>;
  /** Per base key (by owner), the HKDF extraction its field keys are expanded from: one per data key, not per field. */
  readonly #prks: Lru<Prk>;
  readonly #live = new Map<string, { id: string; at: number }>();
  /** Subjects found not erased, when, and the store's erasure version then (schemas that seal nothing ask only this). */
  readonly #clear = new Map<string, { at: number; version: number }>();
  /** Per subject, bumped by every shredding: a store read that started before it is not cached. */
  readonly #generation = new Map<string, number>();
  readonly #ttl: number;

  constructor(options: KeyManagerOptions) {
    this.keyring = options.keyring;
    this.algorithm = options.algorithm;
    this.aead = aeads(options.implementation);
    this.#store = options.store;
    this.#cache = new Lru(options.cacheSize);
    this.#deks = new Lru(options.cacheSize);
    this.#fields = new Lru(options.cacheSize);
    this.#prks = new Lru(options.cacheSize);
    this.#ttl = options.cacheTtlMs ?? 30_000;
  }

  /** Whether a subject key store is configured. */
  get hasStore(): boolean {
    return this.#store !== undefined;
  }

  get store(): SubjectKeyStore {
    if (!this.#store) {
      throw notFound('no subject key store is configured (createPurposeful({ keyStore })), so subjects have no data keys');
    }
    return this.#store;
  }

  #kek(kid: string): Uint8Array {
    const k = kekBytes(this.keyring, kid);
    if (!k) throw notFound('the keyring has no key with the id a value or data key names');
    return k;
  }

  /** The base key new values of a schema without a subject are sealed under. */
  rootForSeal(schemaId: string): BaseKey {
    return this.rootFor(schemaId, this.keyring.primary);
  }

  /** The base key of a schema without a subject, under a given keyring key. */
  rootFor(schemaId: string, kid: string): BaseKey {
    const cacheKey = `root\u0000${kid}\u0000${schemaId}`;
    let key = this.#cache.get(cacheKey);
    if (!key) {
      key = derive(this.#kek(kid), 'root', [schemaId]);
      this.#cache.set(cacheKey, key);
    }
    return { kid, key, owner: `r${schemaId.length}.${schemaId}.${kid}` };
  }

  #wrapAd(kek: string, subject: string, keyClass: KeyClass, id: string): Uint8Array {
    return lengthPrefixed(['purposeful.dek', '1', kek, subject, keyClass, id]);
  }

  /** Wraps a data key under the primary keyring key. */
  wrap(subject: string, keyClass: KeyClass, id: string, dek: Uint8Array): { kek: string; wrapped: string } {
    const kek = this.keyring.primary;
    const nonce = randomBytes(24);
    const sealed = this.aead.xc20.seal(this.#kek(kek), nonce, dek, this.#wrapAd(kek, subject, keyClass, id));
    const data = new Uint8Array(24 + sealed.length);
    data.set(nonce, 0);
    data.set(sealed, 24);
    return { kek, wrapped: WRAP_PREFIX + base64urlEncode(data) };
  }

  /** Unwraps a stored data key; a record that fails to unwrap is an error, never a silent miss. */
  unwrap(subject: string, record: DataKeyRecord): Uint8Array {
    const data = record.wrapped.startsWith(WRAP_PREFIX) ? base64urlDecode(record.wrapped.slice(WRAP_PREFIX.length)) : undefined;
    const dek =
      data && data.length > 24
        ? this.aead.xc20.open(
            this.#kek(record.kek),
            data.subarray(0, 24),
            data.subarray(24),
            this.#wrapAd(record.kek, subject, record.keyClass, record.id),
          )
        : undefined;
    if (dek?.length !== 32) {
      throw new PurposefulError(
        'PF_DECRYPTION_FAILED',
        `a stored data key (${record.id}) does not unwrap: the key store was altered`,
      );
    }
    return dek;
  }

  /**
   * The keys new values of a subject go under, for the given key classes. A
   * subject that was never erased gets its live key of each class, created
   * (and stored) on first use. An erased subject gets no new key ever: only
   * its retained key still held (and its `retainUntil` with it), for the
   * retained class; the caller refuses anything else.
   */
  async sealingKeys(subject: string, classes: readonly KeyClass[]): Promise<SealingKeys> {
    const bases = new Map<KeyClass, BaseKey>();
    let fresh = true;
    for (const c of classes) {
      const recent = this.#live.get(`${subject}\u0000${c}`);
      const cached = recent && Date.now() - recent.at < LIVE_KEY_TTL_MS ? this.#cachedDek(subject, recent.id) : undefined;
      // a key kept past an erasure is never a live key: the store is asked
      if (!recent || !cached || cached.keptSince !== undefined) {
        fresh = false;
        break;
      }
      bases.set(c, { kid: recent.id, key: cached.key, owner: dekOwner(subject, recent.id) });
    }
    // a live key was seen recently and no erasure was announced since (the cache checks): the subject is not erased
    if (fresh && classes.length > 0) return { erased: false, bases };
    if (classes.length === 0) {
      const seen = this.#clear.get(subject);
      if (seen && Date.now() - seen.at < LIVE_KEY_TTL_MS && (this.#store?.erasureVersion?.(subject) ?? 0) === seen.version) {
        return { erased: false, bases };
      }
    }
    bases.clear();
    const { records, generation, version } = await this.#records(subject);
    if (isErasedSubject(records)) {
      const held = classes.includes('retained') ? heldRetainedKey(records) : undefined;
      if (held) bases.set('retained', this.#base(subject, held, generation, version, records));
      const erasedAt = firstErasure(records);
      return { erased: true, bases, ...(erasedAt !== undefined ? { erasedAt } : {}) };
    }
    for (const keyClass of classes) {
      let live = records.find((r) => r.keyClass === keyClass && !r.erasedAt && !r.retainUntil);
      let made: Uint8Array | undefined;
      if (!live) {
        const id = `d${base64urlEncode(randomBytes(12))}`;
        const dek = randomBytes(32);
        const { kek, wrapped } = this.wrap(subject, keyClass, id, dek);
        live = await this.store.create(subject, { id, keyClass, kek, wrapped, createdAt: new Date().toISOString() });
        if (live.erasedAt || live.retainUntil) throw erased(`the subject was erased: no new ${keyClass} data key is made for it`);
        // the store kept ours (not a key another instance made first): no need to unwrap what was just wrapped
        if (live.id === id && live.wrapped === wrapped && live.kek === kek && live.keyClass === keyClass) made = dek;
      }
      if ((this.#generation.get(subject) ?? 0) === generation) {
        const liveKey = `${subject}\u0000${keyClass}`;
        this.#live.set(liveKey, { id: live.id, at: Date.now() });
        if (this.#live.size > this.#fields.max) this.#live.delete(this.#live.keys().next().value as string);
      }
      bases.set(keyClass, this.#base(subject, live, generation, version, records, made));
    }
    if ((this.#generation.get(subject) ?? 0) === generation) {
      this.#clear.set(subject, { at: Date.now(), version });
      if (this.#clear.size > this.#fields.max) this.#clear.delete(this.#clear.keys().next().value as string);
    }
    return { erased: false, bases };
  }

  /** The key new values of one class go under (see `sealingKeys`); none for an erased subject is `PF_SUBJECT_ERASED`. */
  async dataKeyForSeal(subject: string, keyClass: KeyClass): Promise<BaseKey> {
    const base = (await this.sealingKeys(subject, [keyClass])).bases.get(keyClass);
    if (!base) throw erased(`the subject was erased: no ${keyClass} data key takes new values for it`);
    return base;
  }

  /**
   * A data key record as a base key: unwrapped (and cached unless a shredding began meanwhile). A retained key kept
   * past an erasure is remembered as such with the subject's erasure time (from `records`), so that a cached copy
   * of it is restricted the same way.
   */
  #base(
    subject: string,
    record: DataKeyRecord,
    generation: number,
    version: number,
    records: readonly DataKeyRecord[],
    made?: Uint8Array,
  ): BaseKey {
    const keptSince = record.retainUntil === undefined ? undefined : (firstErasure(records) ?? '');
    return {
      kid: record.id,
      key: this.#dek(subject, record, generation, version, keptSince, made),
      owner: dekOwner(subject, record.id),
    };
  }

  /** A cached data key, if it was read from the store recently enough and no erasure of the subject was announced since. */
  #cachedDek(subject: string, id: string): DekEntry | undefined {
    const entry = this.#deks.get(dekOwner(subject, id));
    if (entry === undefined || Date.now() - entry.at >= this.#ttl) return undefined;
    if ((this.#store?.erasureVersion?.(subject) ?? 0) !== entry.version) return undefined;
    return entry;
  }

  /**
   * Unwraps a data key read from the store (`made`: the key this instance just created and the store kept, already
   * in hand); caches it, with its restriction (`keptSince`) in the same entry, unless a
   * shredding of the subject began meanwhile.
   */
  #dek(
    subject: string,
    record: DataKeyRecord,
    generation: number,
    version: number,
    keptSince: string | undefined,
    made?: Uint8Array,
  ): Uint8Array {
    const key = made ?? this.unwrap(subject, record);
    if ((this.#generation.get(subject) ?? 0) === generation) {
      this.#deks.set(dekOwner(subject, record.id), { key, at: Date.now(), version, keptSince });
    }
    return key;
  }

  /** The subject's key records, read again if a shredding ran while they were read. */
  async #records(subject: string): Promise<{ records: readonly DataKeyRecord[]; generation: number; version: number }> {
    for (;;) {
      const generation = this.#generation.get(subject) ?? 0;
      const version = this.#store?.erasureVersion?.(subject) ?? 0; // before the read: an erasure announced during it makes the cache entry stale
      const records = await this.store.keys(subject);
      if ((this.#generation.get(subject) ?? 0) === generation) return { records, generation, version };
    }
  }

  /**
   * The subject's data key with a given id; erased → `PF_SUBJECT_ERASED`, unknown → `PF_KEY_NOT_FOUND`. A retained
   * key kept past an erasure comes with `keptSince`.
   */
  async dataKeyForOpen(subject: string, kid: string, path: string): Promise<OpeningKey> {
    const cached = this.#cachedDek(subject, kid);
    if (cached) {
      // the restriction comes from the same cache entry as the key (LGPD Art. 16; GDPR Art. 17(3))
      const owner = dekOwner(subject, kid);
      const { key, keptSince } = cached;
      return keptSince === undefined ? { kid, key, owner } : { kid, key, owner, keptSince };
    }
    const { records, generation, version } = await this.#records(subject);
    const record = records.find((r) => r.id === kid);
    if (!record) {
      throw new PurposefulError('PF_KEY_NOT_FOUND', `${path}: the subject has no data key with this value's key id`, {
        paths: [path],
      });
    }
    if (record.erasedAt) {
      throw new PurposefulError('PF_SUBJECT_ERASED', `${path}: the subject's data was erased (crypto-shredded)`, {
        paths: [path],
      });
    }
    const base = this.#base(subject, record, generation, version, records);
    // kept past the erasure: its values open only for the purposes that keep them (the vault checks which)
    return record.retainUntil === undefined ? base : { ...base, keptSince: firstErasure(records) ?? '' };
  }

  /**
   * The retained key, still held, that an erased subject's value under `kid`
   * stays under: that key itself when it is one, else the subject's held
   * retained key; `undefined` when the subject holds none.
   */
  async retainedKeyFor(subject: string, kid: string): Promise<BaseKey | undefined> {
    const { records, generation, version } = await this.#records(subject);
    const own = records.find((r) => r.id === kid && r.keyClass === 'retained' && r.retainUntil && !r.erasedAt);
    const held = own ?? heldRetainedKey(records);
    return held ? this.#base(subject, held, generation, version, records) : undefined;
  }

  /** The field key under a base key and the head of its associated data, derived once and cached. */
  #field(base: BaseKey, schemaId: string, fieldId: string, alg: AlgorithmId): FieldEntry {
    // by what the key is bound to, never by key id alone: two subjects' data keys may share an id
    const cacheKey = `${base.owner}\u0000${schemaId}\u0000${fieldId}\u0000${alg}`;
    let entry = this.#fields.get(cacheKey);
    if (!entry) {
      let prk = this.#prks.get(base.owner);
      if (!prk) {
        prk = extract(base.key, 'field');
        this.#prks.set(base.owner, prk);
      }
      entry = {
        key: expand(prk, [schemaId, fieldId, alg]),
        adHead: lengthPrefixed(['purposeful.field', '1', alg, base.kid, schemaId, fieldId]),
      };
      this.#fields.set(cacheKey, entry);
    }
    return entry;
  }

  /** The field key under a base key. */
  fieldKey(base: BaseKey, schemaId: string, fieldId: string, alg: AlgorithmId): Uint8Array {
    return this.#field(base, schemaId, fieldId, alg).key;
  }

  /** Seals one value at its place. */
  seal(value: unknown, base: BaseKey, place: Place, path: string): string {
    const alg = this.algorithm;
    const aead = this.aead[alg];
    const f = this.#field(base, place.schema, place.field, alg);
    const plaintext = encodeValue(value, path);
    const encodedLength = Math.ceil(((aead.nonceLength + plaintext.length + 16) * 4) / 3) + 10 + base.kid.length;
    if (encodedLength > MAX_ENVELOPE_LENGTH) {
      throw new PurposefulError(
        'PF_LIMIT_EXCEEDED',
        `${path}: the value is too large to encrypt (its envelope would exceed the maximum length)`,
        {
          paths: [path],
        },
      );
    }
    const nonce = randomBytes(aead.nonceLength);
    const sealed = aead.seal(f.key, nonce, plaintext, adOf(f, place.subject, place.record));
    return formatEnvelope(alg, base.kid, nonce, sealed);
  }

  /** Opens one envelope at its place; anything but an authentic value for this place is an error, with no plaintext. */
  open(text: string, base: BaseKey, place: Place, path: string): unknown {
    return this.openEnvelope(parseEnvelope(text, path), base, place, path);
  }

  /** Opens a parsed envelope at its place. */
  openEnvelope(env: Envelope, base: BaseKey, place: Place, path: string): unknown {
    if (env.kid !== base.kid)
      throw new PurposefulError('PF_KEY_NOT_FOUND', `${path}: sealed under another key`, { paths: [path] });
    const f = this.#field(base, place.schema, place.field, env.alg);
    const pt = this.aead[env.alg].open(f.key, env.nonce, env.sealed, adOf(f, place.subject, place.record));
    if (!pt) {
      throw new PurposefulError(
        'PF_DECRYPTION_FAILED',
        `${path}: the ciphertext does not authenticate for this field, record and subject`,
        {
          paths: [path],
        },
      );
    }
    return decodeValue(pt, path);
  }

  /** Blind-index keys for an index name, one per keyring key (primary first). */
  indexKeys(name: string): BaseKey[] {
    return this.keyring.kids.map((kid) => {
      const cacheKey = `index\u0000${kid}\u0000${name}`;
      let key = this.#cache.get(cacheKey);
      if (!key) {
        key = derive(this.#kek(kid), 'index', [name]);
        this.#cache.set(cacheKey, key);
      }
      return { kid, key, owner: `i${name.length}.${name}.${kid}` };
    });
  }

  /** Drops a subject's keys from the cache (after shredding). */
  forget(subject: string): void {
    this.#generation.set(subject, (this.#generation.get(subject) ?? 0) + 1);
    // every cached key of the subject goes, whichever ids were erased
    const prefix = subjectPrefix(subject);
    this.#cache.deleteWhere((k) => k.startsWith(prefix));
    this.#fields.deleteWhere((k) => k.startsWith(prefix));
    this.#prks.deleteWhere((k) => k.startsWith(prefix));
    this.#deks.deleteWhere((k) => k.startsWith(prefix));
    for (const c of ['erasable', 'retained']) this.#live.delete(`${subject}\u0000${c}`);
    this.#clear.delete(subject);
  }
}
