/**
 * Where subjects' data keys live: the `SubjectKeyStore` interface and an
 * in-memory implementation (`postgresKeyStore` in `purposeful/postgres` keeps
 * them in PostgreSQL), and the erasure journal.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';

/**
 * Data keys are kept per subject and per retention class: `erasable` keys
 * protect what the subject may have erased; `retained` keys protect fields a
 * purpose keeps on an erasure ground (`keptOnErasure`: LGPD Art. 16 I–III,
 * 7 VI; GDPR Art. 17(3)), and survive a shredding until that retention ends.
 *
 * @example
 * ```ts
 * const classes: KeyClass[] = ['erasable', 'retained']; // retained: a purpose must keep the field by law
 * ```
 * @category Encryption
 */
export type KeyClass = 'erasable' | 'retained';

/**
 * One data key of a subject, as stored: wrapped by a keyring key, never in clear.
 *
 * @example
 * ```ts
 * const [record] = await keyStore.keys(customerId);
 * record.keyClass; // 'erasable' or 'retained'
 * record.wrapped;  // 'pfk1.…' — never the key in clear
 * ```
 * @category Encryption
 */
export interface DataKeyRecord {
  /** The key id, as it appears in envelopes. */
  readonly id: string;
  readonly keyClass: KeyClass;
  /** The keyring key (KEK) that wraps it. */
  readonly kek: string;
  /** The wrapped key (`pfk1.<base64url(nonce ‖ ciphertext ‖ tag)>`); empty once erased. */
  readonly wrapped: string;
  /** ISO-8601 creation time. */
  readonly createdAt: string;
  /** ISO-8601 time of erasure: the record stays as a tombstone so erased values are told apart from tampering. */
  readonly erasedAt?: string;
  /** For a retained key whose subject was shredded: when it may be erased. */
  readonly retainUntil?: string;
}

/**
 * Storage for subjects' data keys. Implementations must be durable and
 * serialize concurrent `create` calls for one subject and class.
 *
 * @example
 * ```ts
 * const keyStore: SubjectKeyStore = memoryKeyStore(); // tests; use the PostgreSQL store in production
 * const pf = createPurposeful({ purposes, schemas, keys, keyStore });
 * ```
 * @category Encryption
 */
export interface SubjectKeyStore {
  /** Every key record of a subject (live ones and tombstones). */
  keys(subject: string): Promise<readonly DataKeyRecord[]>;
  /**
   * Stores a new live key unless the subject already has a live key of the
   * same class (live: neither erased nor kept past a shredding, i.e. no
   * `erasedAt` and no `retainUntil`); returns the live key that is stored.
   * Refuses (`PF_SUBJECT_ERASED`) when the subject has any key erased or kept
   * past a shredding, atomically with the insert: an erased subject never gets
   * a new live key (its retained data would then outlive its retention).
   */
  create(subject: string, key: DataKeyRecord): Promise<DataKeyRecord>;
  /**
   * Replaces a key record by id (rewrapping, retention, erasure). Must never
   * clear `erasedAt` (an erased key never comes back), nor clear a
   * `retainUntil` except by erasing the key (a writer that read the record
   * before a shredding must not make a retained key live again).
   */
  update(subject: string, key: DataKeyRecord): Promise<void>;
  /** Every subject that has key records. */
  subjects(): AsyncIterable<string>;
  /**
   * Optional: a number that changes whenever some instance erases keys of the
   * subject (e.g. learned through LISTEN/NOTIFY). Engines drop their cached
   * keys of a subject as soon as it changes, so a shredding reaches every
   * instance at once rather than after `keyCacheTtlMs`.
   */
  erasureVersion?(subject: string): number;
}

/**
 * One erasure: which keys of which subject were erased, and when. No personal data beyond the subject reference.
 *
 * @example
 * ```ts
 * for await (const entry of journal.entries()) console.log(entry.subject, entry.keyIds, entry.at);
 * ```
 * @category Encryption
 */
export interface ErasureEntry {
  readonly subject: string;
  readonly keyIds: readonly string[];
  readonly at: string;
}

/**
 * The erasure journal: kept apart from the key store's backups, and replayed
 * against the key store after any restore, so a restored backup never brings
 * an erased key back.
 *
 * @example
 * ```ts
 * const journal: ErasureJournal = { append: (e) => db.insert('erasures', e), entries: () => db.stream('erasures') };
 * await pf.replayErasures(journal.entries()); // after restoring a key-store backup
 * ```
 * @category Encryption
 */
export interface ErasureJournal {
  append(entry: ErasureEntry): Promise<void>;
  entries(): AsyncIterable<ErasureEntry>;
}

/**
 * An in-memory key store, for tests and single-process tools. Keys vanish with
 * the process: do not use it for data you keep.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ purposes, schemas, keys: generateKeyring(), keyStore: memoryKeyStore() });
 * ```
 * @category Encryption
 */
export function memoryKeyStore(): SubjectKeyStore {
  const bySubject = new Map<string, DataKeyRecord[]>();
  return {
    async keys(subject) {
      return [...(bySubject.get(subject) ?? [])];
    },
    async create(subject, key) {
      const list = bySubject.get(subject) ?? [];
      if (list.some((k) => k.erasedAt || k.retainUntil)) {
        throw new PurposefulError('PF_SUBJECT_ERASED', 'the subject was erased: no new data key is made for it');
      }
      const live = list.find((k) => k.keyClass === key.keyClass && !k.erasedAt && !k.retainUntil);
      if (live) return live;
      list.push(key);
      bySubject.set(subject, list);
      return key;
    },
    async update(subject, key) {
      const list = bySubject.get(subject);
      const i = list?.findIndex((k) => k.id === key.id) ?? -1;
      if (!list || i < 0) throw new Error('no such data key');
      const was = list[i] as DataKeyRecord;
      if (was.erasedAt && !key.erasedAt) return; // an erased key never comes back
      // a retention is ended only by erasing the key: a stale writer does not make a retained key live again
      list[i] = was.retainUntil && !key.erasedAt && !key.retainUntil ? { ...key, retainUntil: was.retainUntil } : key;
    },
    async *subjects() {
      yield* [...bySubject.keys()];
    },
  };
}

/**
 * An in-memory erasure journal, for tests.
 *
 * @example
 * ```ts
 * const journal = memoryErasureJournal();
 * const pf = createPurposeful({ purposes, schemas, keys, keyStore, erasureJournal: journal });
 * ```
 * @category Encryption
 */
export function memoryErasureJournal(): ErasureJournal {
  const list: ErasureEntry[] = [];
  return {
    async append(entry) {
      list.push(Object.freeze({ ...entry, keyIds: Object.freeze([...entry.keyIds]) }));
    },
    async *entries() {
      yield* [...list];
    },
  };
}
