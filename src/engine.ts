/**
 * `createPurposeful()`: the engine that enforces the declarations on every
 * request — inbound (reject undeclared fields, validate), outbound and open
 * (project, mask, pseudonymize) — with the checks that fail closed.
 *
 * It is assembled from parts in `./engine/`: the options read once into a
 * frozen configuration (`config.ts`), the access decision (`resolve.ts`,
 * `access.ts`), projection and validation (`projection.ts`, `validate.ts`),
 * the vault (`vault.ts`), free-text redaction (`redaction.ts`) and access
 * events (`events.ts`); `calls.ts` runs each call as the sequence of its steps.
 *
 * @module
 */
import type { ErasureEntry } from './crypto/keystore.js';
import type { Progress, RotateOptions, ShredResult } from './crypto/vault.js';
import { accessDecision } from './engine/access.js';
import { engineCalls } from './engine/calls.js';
import { engineConfig } from './engine/config.js';
import { engineRetention, engineRights } from './engine/desk.js';
import { accessEvents } from './engine/events.js';
import { attachNow, type EngineNow } from './engine/now.js';
import { openedRecords } from './engine/opened.js';
import type { InboundOptions, PurposefulOptions } from './engine/options.js';
import { checkSchema, subjectOf } from './engine/resolve.js';
import { needVault, storedOpener } from './engine/vault.js';
import type { Actor, PurposeContext } from './engine-context.js';
import { PurposefulError } from './errors.js';
import type { RetentionSweeps } from './rights/retention.js';
import type { Rights } from './rights/rights.js';
import type { PurposefulSchema } from './schema/define.js';
import type { Purposes } from './schema/purposes.js';
import type { Inbound, Outbound } from './schema/types.js';
import type { Jurisdiction } from './taxonomy/bases.js';
import { assertCleanPrototype } from './util/prototype.js';

export type { InboundOptions, PurposefulOptions, RedactionReport } from './engine/options.js';
export type { Actor, PurposeContext } from './engine-context.js';

/**
 * The engine. All methods are async (consent, keys and the access log are I/O
 * where they are configured); masks and detectors stay synchronous helpers.
 *
 * @example
 * ```ts
 * type AppPurpose = (typeof purposes.ids)[number];
 * async function ticketView(pf: Purposeful<AppPurpose>, row: unknown, actor: Actor) {
 *   return pf.outbound(Customer, row, { purpose: 'support.ticket', actor }); // typed Outbound<typeof Customer, 'support.ticket'>
 * }
 * pf.schema('customer') === Customer; // true
 * pf.jurisdictions;                   // ['lgpd', 'gdpr']
 * ```
 * @category Engine
 */
export interface Purposeful<P extends string = string> {
  /** The purposes registry. */
  readonly purposes: Purposes<P>;
  /** The laws in force. */
  readonly jurisdictions: readonly Jurisdiction[];
  /** A registered schema by id. */
  schema(id: string): PurposefulSchema | undefined;
  /**
   * Data coming in for a purpose: rejects every field not declared for it
   * (`PF_UNDECLARED_FIELD`, all paths at once), then validates with the
   * purpose's projection of the zod schema (`PF_VALIDATION_FAILED`).
   */
  inbound<S extends PurposefulSchema, Q extends P>(schema: S, data: unknown, ctx: PurposeContext<Q>): Promise<Inbound<S, Q>>;
  /**
   * Partial data coming in for a purpose, such as the fields an update
   * changes: the same checks as `inbound` over the fields given (undeclared
   * ones refused, each validated, free text redacted, consent), but no field
   * is required and no declared default is filled in. Refinements of the
   * whole record are not run: they need the whole record.
   */
  inbound<S extends PurposefulSchema, Q extends P>(
    schema: S,
    data: unknown,
    ctx: PurposeContext<Q>,
    options: InboundOptions & { readonly partial: true },
  ): Promise<Partial<Inbound<S, Q>>>;
  inbound<S extends PurposefulSchema, Q extends P>(
    schema: S,
    data: unknown,
    ctx: PurposeContext<Q>,
    options?: InboundOptions,
  ): Promise<Inbound<S, Q> | Partial<Inbound<S, Q>>>;
  /** A plaintext record going out to a purpose: projected, masked, pseudonymized. */
  outbound<S extends PurposefulSchema, Q extends P>(schema: S, record: unknown, ctx: PurposeContext<Q>): Promise<Outbound<S, Q>>;
  /**
   * A stored row going out to a purpose: the same as `outbound`, after
   * decrypting the encrypted fields the purpose may see. Without a keyring, a
   * row whose visible fields are declared encrypted fails with `PF_KEY_NOT_FOUND`.
   */
  open<S extends PurposefulSchema, Q extends P>(schema: S, row: unknown, ctx: PurposeContext<Q>): Promise<Outbound<S, Q>>;
  /**
   * The checks `outbound` and `open` run that do not need the record, run
   * before any data is fetched: purpose, actor, roles, second factor for clear
   * sensitive fields, minors, and, when `ctx.subjectId` is given, consent,
   * objections and the subject's blockings (`PF_SUBJECT_RESTRICTED` when one
   * covers a field the purpose would see; LGPD Art. 18 IV; GDPR Art. 18).
   * Without it, these are checked on the record, when it goes out. The HTTP adapters
   * call it before a handler runs, so a refused request costs no database read.
   */
  authorize<S extends PurposefulSchema, Q extends P>(schema: S, ctx: PurposeContext<Q>): Promise<void>;
  /**
   * A record going to storage: every field declared `encrypt: true` sealed and
   * bound to its schema, field, subject and record; a `bidx_<name>` column per
   * blind index. Needs a keyring.
   */
  seal<S extends PurposefulSchema, Q extends P>(
    schema: S,
    record: unknown,
    ctx: PurposeContext<Q>,
  ): Promise<Record<string, unknown>>;
  /** `seal` for many records. */
  sealMany<S extends PurposefulSchema, Q extends P>(
    schema: S,
    records: readonly unknown[],
    ctx: PurposeContext<Q>,
  ): Promise<Record<string, unknown>[]>;
  /** `open` for many rows. */
  openMany<S extends PurposefulSchema, Q extends P>(
    schema: S,
    rows: readonly unknown[],
    ctx: PurposeContext<Q>,
  ): Promise<Outbound<S, Q>[]>;
  /** The blind-index values to search a column for (one per keyring key during a rotation). */
  indexFor(schema: PurposefulSchema, index: string, value: unknown): string[];
  /**
   * Crypto-shreds a subject: erasable data keys deleted, retained ones (fields an erasure ground keeps) kept until
   * their retention ends, their values then opening only for the purposes that keep them; a signed receipt.
   */
  shred(
    subjectId: string,
    options?: {
      rows?: ReadonlyArray<{ readonly schema: PurposefulSchema; readonly rows: readonly unknown[] }>;
      now?: Date;
      /** Who erases, for the access log (default `system`). */
      actor?: Actor;
    },
  ): Promise<ShredResult>;
  /** Re-encrypts the values of stored rows that are not under the current key or algorithm (verified, idempotent, resumable). */
  rotate(
    schema: PurposefulSchema,
    rows: readonly unknown[],
    options?: RotateOptions,
  ): Promise<{ rows: unknown[]; changed: number }>;
  /** After a keyring rotation: rewraps every data key under the new primary keyring key (no data is touched). */
  rewrapDataKeys(onProgress?: (p: Progress) => void | Promise<void>): Promise<number>;
  /** Erases the retained data keys whose legal retention has ended. */
  purgeRetained(now?: Date): Promise<number>;
  /** Data-subject requests (configured with `rights`): verified, tracked with their deadlines, answered from your sources. */
  readonly rights: Rights;
  /** Retention sweeps: what outlived every purpose is removed, field by field or record by record. */
  readonly retention: RetentionSweeps;
  /** After restoring a key-store backup: erases again every key the erasure journal says was erased. */
  replayErasures(entries?: Iterable<ErasureEntry> | AsyncIterable<ErasureEntry>): Promise<number>;
}

/**
 * Creates the engine. Every option is validated here, once: an unknown option
 * is refused (`PF_OPTIONS_INVALID` naming it), the schemas must
 * share the purposes registry, and every purpose needs a basis under every
 * jurisdiction in force. What the declarations need is checked here too, not
 * at the first request: encrypted fields need `keys` (`PF_KEYRING_MISSING`),
 * fields for a purpose on consent need a `consent` ledger
 * (`PF_CONSENT_LEDGER_MISSING`).
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ purposes, schemas: [Customer, Ticket] });
 * const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
 *
 * const input = await pf.inbound(Customer, body, ctx);     // undeclared fields rejected, validated
 * const view = await pf.outbound(Customer, record, ctx);   // projected and masked for the purpose
 * ```
 * @category Engine
 */
export function createPurposeful<P extends string>(options: PurposefulOptions<P>): Purposeful<P> {
  const config = engineConfig(options);
  const { purposes, schemas, inForce } = config;
  const events = accessEvents(config);
  const calls = engineCalls(config, accessDecision(config));
  // with an access log, every call records its decision (authorize only its refusals: open records the read)
  const opened = openedRecords();
  const now: EngineNow = {
    inbound: events.audited('inbound', 'inbound', calls.inbound),
    open: events.audited('open', 'outbound', calls.open),
    authorize: events.authorize(calls.authorize),
    opened: opened.passes,
  };
  const inboundPartial = events.audited('inbound', 'inbound', calls.inboundPartial);
  const outbound = events.audited('outbound', 'outbound', calls.outbound);
  const seal = events.audited('seal', 'inbound', calls.seal) as (
    schema: PurposefulSchema,
    record: unknown,
    ctx: PurposeContext,
  ) => Promise<Record<string, unknown>>;
  const openStored = storedOpener(config);

  const engine: Purposeful<P> = {
    purposes,
    jurisdictions: inForce,
    schema: (id) => schemas.get(id),

    inbound: (async (schema: PurposefulSchema, data: unknown, ctx: PurposeContext, options?: InboundOptions) =>
      options?.partial === true ? inboundPartial(schema, data, ctx) : now.inbound(schema, data, ctx)) as never,

    outbound: async (schema, record, ctx) => (await outbound(schema, record, ctx)) as never,

    async open(schema, row, ctx) {
      const record = await now.open(schema, row, ctx);
      opened.stamp(schema, record, ctx); // a route answering with it passes it on as it is
      return record as never;
    },

    authorize: async (schema, ctx) => now.authorize(schema, ctx),

    async openMany(schema, rows, ctx) {
      if (!Array.isArray(rows)) throw new PurposefulError('PF_INPUT_INVALID', 'openMany() takes an array of rows');
      const out = [];
      for (const row of rows) out.push(await engine.open(schema, row, ctx));
      return out as never;
    },

    seal: async (schema, record, ctx) => seal(schema, record, ctx),

    async sealMany(schema, records, ctx) {
      if (!Array.isArray(records)) throw new PurposefulError('PF_INPUT_INVALID', 'sealMany() takes an array of records');
      const out = [];
      for (const record of records) out.push(await engine.seal(schema, record, ctx));
      return out;
    },

    indexFor(schema, index, value) {
      assertCleanPrototype();
      checkSchema(config, schema);
      return needVault(config, 'indexFor()').indexFor(schema, index, value);
    },

    async shred(subjectId, shredOptions = {}) {
      assertCleanPrototype();
      for (const group of shredOptions.rows ?? []) checkSchema(config, group.schema);
      const actor = shredOptions.actor ?? { id: 'system' };
      return events.shred(actor, subjectId, () => needVault(config, 'shred()').shred(subjectId, shredOptions));
    },

    async rotate(schema, rows, rotateOptions = {}) {
      assertCleanPrototype();
      checkSchema(config, schema);
      return needVault(config, 'rotate()').rotate(schema, rows, (row) => subjectOf(schema, row), rotateOptions);
    },

    async rewrapDataKeys(onProgress) {
      return needVault(config, 'rewrapDataKeys()').rewrapDataKeys(onProgress);
    },

    async purgeRetained(now = new Date()) {
      return needVault(config, 'purgeRetained()').purgeRetained(now);
    },

    async replayErasures(entries) {
      return needVault(config, 'replayErasures()').replayErasures(entries);
    },

    rights: engineRights(config, openStored, (subjectId, shredOptions) => engine.shred(subjectId, shredOptions)),

    retention: engineRetention(config, openStored),
  };
  attachNow(engine, now);
  return Object.freeze(engine);
}
