/**
 * `createAccessLog()`: the tamper-evident record of who saw whose data and
 * why. The engine records one event per decision; recording only queues it.
 * The subject reference, the hash chain and the sink's write happen off the
 * request path, in batches. One chain per writer (instance and epoch), so
 * writers never wait on each other. When the sink fails or falls behind, the
 * log refuses new records, and with them the processing (fail closed).
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { assertPseudonymKey } from '../minimize/pseudonymize.js';
import type { Purposes } from '../schema/purposes.js';
import { base64urlEncode } from '../util/base64url.js';
import { isWellFormed } from '../util/bytes.js';
import type { JwkSet } from '../util/jwk.js';
import { hmacSha256 } from '../util/sha256.js';
import { byKey } from '../util/text.js';
import { type AccessEvent, type AccessRecord, canonicalTime, chainHash, GENESIS_HASH } from './event.js';
import { type AccessLogSink, type AccessQuery, type CheckpointSink, normalizeAccessQuery } from './sink.js';
import { type AccessLogVerification, type CheckpointSign, verifyAccessLog } from './verify.js';
import type { AnomalyWatch } from './watch.js';

/**
 * Options of {@link createAccessLog}.
 *
 * @example
 * ```ts
 * const options: AccessLogOptions = {
 *   sink: memoryAccessLogSink(),
 *   subjectKey: crypto.getRandomValues(new Uint8Array(32)), // keep it: it links events to subjects
 *   instance: 'web-1',
 *   checkpoints: { sink: memoryCheckpointSink(), sign: checkpointSigner(anchorKey), every: 1000, intervalMs: 60_000 },
 * };
 * ```
 * @category Access log
 */
export interface AccessLogOptions {
  readonly sink: AccessLogSink;
  /** The key of subject references (HMAC-SHA-256, at least 32 random bytes). Keep it stable: `forSubject` needs it. */
  readonly subjectKey: Uint8Array;
  /** This writer's name (a host, a pod); the chain is `<instance>.<epoch>`. Default `log`. */
  readonly instance?: string;
  /** The declared purpose the log is kept for (default `security.access_log`): the engine refuses a registry without it. */
  readonly purpose?: string;
  /**
   * Signed checkpoints into a sink apart from the events. The chain is
   * announced there when the log opens (a checkpoint at sequence 0, before any
   * event is written: a log that cannot announce refuses records), then
   * anchored every `every` events, and at least every `intervalMs` while
   * events flow (a timer that does not keep the process alive).
   */
  readonly checkpoints?: {
    readonly sink: CheckpointSink;
    readonly sign: CheckpointSign;
    /** Default 1000. */
    readonly every?: number;
    /** The longest an event stays unanchored while the log runs, in ms. Default 60,000. */
    readonly intervalMs?: number;
  };
  /** Counts every decision and may block an actor. */
  readonly watch?: AnomalyWatch;
  /** Records queued and not yet written beyond which new records are refused (default 10,000). */
  readonly maxQueue?: number;
  /** Events per write (default 500). */
  readonly batchSize?: number;
  /** Told of a failed write or checkpoint (the error, never a value). */
  readonly onError?: (err: unknown) => void;
}

/**
 * What a data subject is told about consultations of their data: when, for
 * which purpose, and with which recipients the purpose shares it, without
 * the identities of the staff who consulted (CJEU C‑579/21, GDPR Art. 15).
 *
 * @example
 * ```ts
 * const entries: SubjectAccessEntry[] = await audit.subjectReport(customerId, { purposes });
 * // [{ time: '2026-11-29T10:02:11.000Z', purpose: 'support.ticket', action: 'open', recipients: [] }, …]
 * ```
 * @category Access log
 */
export interface SubjectAccessEntry {
  readonly time: string;
  readonly purpose: string | undefined;
  readonly action: string;
  readonly recipients: readonly string[];
}

/**
 * The access log.
 *
 * @example
 * ```ts
 * const audit = createAccessLog({ sink, subjectKey });
 * const pf = createPurposeful({ purposes, schemas, audit });
 * // … requests …
 * await audit.flush();
 * const seen = await audit.forSubject(customerId); // the DPO's view: who, when, why
 * const report = await audit.verify();             // { ok: true, … }
 * ```
 * @category Access log
 */
export interface AccessLog {
  /** This writer's chain. */
  readonly chain: string;
  /** The declared purpose the log is kept for. */
  readonly purpose: string;
  /** The watch fed by this log, if any. */
  readonly watch: AnomalyWatch | undefined;
  /**
   * Queues one decision (a copy: later changes to the caller's objects do not
   * reach it). Throws `PF_AUDIT_UNAVAILABLE` when the log cannot take it (the
   * sink failed, or the queue is full), and `PF_INPUT_INVALID` for a string no
   * sink can store (a NUL, a lone surrogate).
   */
  record(record: AccessRecord): void;
  /** Throws `PF_AUDIT_UNAVAILABLE` when `record()` would: check before an action that cannot be undone. */
  assertWritable(): void;
  /** Writes everything queued; rejects with `PF_AUDIT_UNAVAILABLE` if the sink fails. */
  flush(): Promise<void>;
  /** Flushes and writes a last checkpoint (and the announcement, if the chain has none yet). */
  close(): Promise<void>;
  /** The keyed reference of a subject, as events carry it. */
  subjectRef(subjectId: string): string;
  /** For the DPO: every event about one subject, with the actors. */
  forSubject(subjectId: string, range?: { readonly from?: string; readonly to?: string }): Promise<AccessEvent[]>;
  /** For the subject: dates, purposes and recipients of consultations, without staff identities. */
  subjectReport(subjectId: string, options?: { readonly purposes?: Purposes }): Promise<SubjectAccessEntry[]>;
  /** Events by actor, purpose, category, decision and time range (flushes first), filtered on the hashed events themselves. */
  query(query: AccessQuery): Promise<AccessEvent[]>;
  /**
   * Verifies every chain in the sink, and with `keys` its checkpoints: each
   * chain must be announced, and hold every event its checkpoints anchor.
   */
  verify(options?: { readonly keys?: JwkSet }): Promise<AccessLogVerification>;
}

const ACCESS_LOG = Symbol.for('purposeful.accessLog');

/** A string every sink can store: well-formed UTF-16 (no lone surrogate, which canonical JSON refuses) and no NUL (which PostgreSQL refuses). */
function storable(s: unknown, what: string): string {
  if (typeof s !== 'string') throw new PurposefulError('PF_INPUT_INVALID', `an access record's ${what} must be a string`);
  if (s.includes('\u0000') || !isWellFormed(s)) {
    throw new PurposefulError(
      'PF_INPUT_INVALID',
      `an access record's ${what} holds a character no log can store (NUL or a lone surrogate)`,
    );
  }
  return s;
}

const strings = (xs: unknown, what: string): readonly string[] => {
  if (!Array.isArray(xs)) throw new PurposefulError('PF_INPUT_INVALID', `an access record's ${what} must be a list of strings`);
  for (const x of xs) storable(x, what);
  // a frozen list (the engine's, compiled once per plan) cannot change; any other is copied
  return Object.isFrozen(xs) ? xs : Object.freeze([...xs]);
};

/** The record as it will be stored, copied and checked. */
function snapshotOf(r: AccessRecord): AccessRecord {
  if (typeof r !== 'object' || r === null || typeof r.actor !== 'object' || r.actor === null) {
    throw new PurposefulError('PF_INPUT_INVALID', 'an access record needs an actor');
  }
  const time = canonicalTime(storable(r.time, 'time'));
  if (time === undefined) {
    throw new PurposefulError('PF_INPUT_INVALID', "an access record's time must be an ISO 8601 date-time with a zone");
  }
  const out: Record<string, unknown> = {
    time,
    action: storable(r.action, 'action'),
    decision: storable(r.decision, 'decision'),
    actor: Object.freeze({
      id: storable(r.actor.id, 'actor id'),
      roles: strings(r.actor.roles, 'roles'),
      mfa: r.actor.mfa === true,
    }),
    fields: strings(r.fields, 'fields'),
    categories: strings(r.categories, 'categories'),
    sensitive: r.sensitive === true,
  };
  if (r.reason !== undefined) out.reason = storable(r.reason, 'reason');
  if (r.subjectId !== undefined) out.subjectId = storable(r.subjectId, 'subject');
  if (r.schema !== undefined) out.schema = storable(r.schema, 'schema');
  if (r.purpose !== undefined) out.purpose = storable(r.purpose, 'purpose');
  if (r.legalBasis !== undefined) {
    const basis: Record<string, string> = {};
    for (const [law, b] of Object.entries(r.legalBasis)) basis[storable(law, 'law')] = storable(b, 'legal basis');
    out.legalBasis = Object.freeze(basis);
  }
  if (r.consentReceipt !== undefined) out.consentReceipt = storable(r.consentReceipt, 'consent receipt');
  if (r.requestId !== undefined) out.requestId = storable(r.requestId, 'request id');
  if (r.records !== undefined) out.records = r.records;
  return out as unknown as AccessRecord;
}

/**
 * True when `value` was made by {@link createAccessLog}.
 *
 * @example
 * ```ts
 * isAccessLog(createAccessLog({ sink, subjectKey })); // true
 * ```
 * @category Access log
 */
export function isAccessLog(value: unknown): value is AccessLog {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ACCESS_LOG] === true;
}

/** Processing is refused when it cannot be logged: security and demonstrable accountability, not the record of processing. */
function unavailable(message: string, cause?: unknown): PurposefulError {
  return new PurposefulError('PF_AUDIT_UNAVAILABLE', message, {
    article: 'LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32',
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * Creates an access log over a sink. Pass it to `createPurposeful({ audit })`
 * and every decision of the engine is recorded: `inbound`, `outbound`, `open`,
 * `seal`, `authorize`, denials with their code, and `shred`.
 *
 * @example
 * ```ts
 * const audit = createAccessLog({
 *   sink: memoryAccessLogSink(),
 *   subjectKey: Buffer.from(process.env.AUDIT_SUBJECT_KEY ?? '', 'base64'),
 *   instance: process.env.HOSTNAME,
 *   watch: anomalyWatch({ thresholds: { windowMs: 600_000, subjects: 50 }, block: true }),
 * });
 * const pf = createPurposeful({ purposes, schemas: [Customer], audit });
 * ```
 * @category Access log
 */
export function createAccessLog(options: AccessLogOptions): AccessLog {
  if (typeof options !== 'object' || options === null)
    throw new PurposefulError('PF_OPTIONS_INVALID', 'createAccessLog() expects options');
  const { sink } = options;
  if (typeof sink?.append !== 'function' || typeof sink?.read !== 'function') {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'createAccessLog(): sink must have append() and read()');
  }
  try {
    assertPseudonymKey(options.subjectKey);
  } catch {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'createAccessLog(): subjectKey must be at least 32 random bytes');
  }
  const keyedRef = hmacSha256(options.subjectKey);
  const subjectRefOf = (subjectId: string) => `sr_${base64urlEncode(keyedRef(subjectId))}`;
  const instance = options.instance ?? 'log';
  if (typeof instance !== 'string' || !/^[A-Za-z0-9_.:-]{1,100}$/.test(instance)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'createAccessLog(): instance must be 1–100 letters, digits, _ . : -');
  }
  const purpose = options.purpose ?? 'security.access_log';
  const maxQueue = options.maxQueue ?? 10_000;
  const batchSize = options.batchSize ?? 500;
  for (const [name, v] of [
    ['maxQueue', maxQueue],
    ['batchSize', batchSize],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new PurposefulError('PF_OPTIONS_INVALID', `createAccessLog(): ${name} must be a positive integer`);
  }
  const cps = options.checkpoints;
  const every = cps?.every ?? 1000;
  const intervalMs = cps?.intervalMs ?? 60_000;
  if (cps) {
    if (typeof cps.sign !== 'function' || typeof cps.sink?.append !== 'function') {
      throw new PurposefulError('PF_OPTIONS_INVALID', 'createAccessLog(): checkpoints need { sink, sign }');
    }
    if (!Number.isSafeInteger(every) || every < 1 || !Number.isSafeInteger(intervalMs) || intervalMs < 1) {
      throw new PurposefulError(
        'PF_OPTIONS_INVALID',
        'createAccessLog(): checkpoints.every and intervalMs must be positive integers',
      );
    }
  }
  const watch = options.watch;
  const onError = options.onError;
  // the epoch tells this writer's chain from an earlier one of the same instance
  const epoch = `${Date.now().toString(36)}${base64urlEncode(crypto.getRandomValues(new Uint8Array(6)))}`;
  const chain = `${instance}.${epoch}`;

  let queue: AccessRecord[] = [];
  /** Hashed and not yet written (a failed write is retried with the same events). */
  let pending: AccessEvent[] = [];
  let seq = 0;
  let lastHash = GENESIS_HASH;
  let failure: unknown;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> | undefined;
  /** The last event the sink holds: what a checkpoint may anchor (never an event still being written). */
  let writtenSeq = 0;
  let writtenHash = GENESIS_HASH;
  let anchoredSeq = 0;
  /** When the last checkpoint was taken or tried: the interval counts from it. */
  let anchoredAt = Date.now();
  let announced = false;
  let announcing: Promise<void> | undefined;
  /** Checkpoints one at a time, in sequence order. */
  let anchoring: Promise<void> = Promise.resolve();
  let anchorTimer: ReturnType<typeof setTimeout> | undefined;

  const toEvent = (r: AccessRecord): AccessEvent => {
    seq++;
    // one copy of the record: the body that is hashed, then the links added to the same object
    const event: Record<string, unknown> = { v: 1, chain, seq };
    for (const key of Object.keys(r)) {
      if (key === 'subjectId') {
        if (r.subjectId !== undefined) event.subject = subjectRefOf(r.subjectId);
      } else event[key] = (r as unknown as Record<string, unknown>)[key];
    }
    const hash = chainHash(lastHash, event);
    event.prev = lastHash;
    event.hash = hash;
    lastHash = hash;
    return event as unknown as AccessEvent;
  };

  const anchor = async (at: number, hash: string): Promise<void> => {
    if (!cps) return;
    const claims = { v: 1 as const, chain, seq: at, hash, time: new Date().toISOString() };
    const jws = await cps.sign(claims);
    await cps.sink.append({ chain, seq: at, hash, time: claims.time, jws });
  };

  /** The announcement: a checkpoint at sequence 0 over the genesis hash, so that a chain nobody announced is a forgery. */
  const announce = (): Promise<void> => {
    if (announced) return Promise.resolve();
    announcing ??= anchor(0, GENESIS_HASH).then(
      () => {
        announced = true;
        anchoredAt = Date.now();
      },
      (err: unknown) => {
        announcing = undefined;
        throw err;
      },
    );
    return announcing;
  };

  const checkpoint = (force: boolean): Promise<void> => {
    anchoring = anchoring.then(async () => {
      if (!cps || !announced || writtenSeq === anchoredSeq) return;
      if (!force && writtenSeq - anchoredSeq < every && Date.now() - anchoredAt < intervalMs) return;
      const at = writtenSeq;
      try {
        await anchor(at, writtenHash);
        anchoredSeq = at;
      } catch (err) {
        // the events are written; they stay unanchored until the next checkpoint succeeds (tried again after intervalMs)
        onError?.(err);
      }
      anchoredAt = Date.now();
    });
    return anchoring;
  };

  /** Events written and not anchored get a checkpoint within intervalMs of the last one, even if no event follows. */
  const armAnchorTimer = (): void => {
    if (!cps || anchorTimer !== undefined || writtenSeq === anchoredSeq) return;
    anchorTimer = setTimeout(
      () => {
        anchorTimer = undefined;
        void checkpoint(true).then(armAnchorTimer);
      },
      Math.max(0, anchoredAt + intervalMs - Date.now()),
    );
    (anchorTimer as { unref?: () => void }).unref?.();
  };

  if (cps) {
    // announced when the log opens; a failure here is retried before the first write, which waits for it
    announce().catch((err: unknown) => onError?.(err));
  }

  const drain = async (): Promise<void> => {
    while (pending.length > 0 || queue.length > 0) {
      if (cps && !announced) {
        try {
          await announce();
        } catch (err) {
          failure = err;
          onError?.(err);
          throw unavailable('the access log could not announce its chain to the checkpoint sink', err);
        }
      }
      try {
        if (pending.length === 0) {
          const batch = queue.length <= batchSize ? queue : queue.slice(0, batchSize);
          queue = queue.length <= batchSize ? [] : queue.slice(batchSize);
          pending = batch.map(toEvent);
        }
        await sink.append(pending);
      } catch (err) {
        failure = err;
        onError?.(err);
        throw unavailable('the access log could not write to its sink', err);
      }
      const last = pending[pending.length - 1] as AccessEvent;
      writtenSeq = last.seq;
      writtenHash = last.hash;
      pending = [];
      failure = undefined;
      await checkpoint(false);
      armAnchorTimer();
    }
  };

  const assertWritable = (): void => {
    if (failure !== undefined) {
      throw unavailable('the access log is failing to write: processing is refused until it recovers (flush() retries)');
    }
    if (queue.length + pending.length >= maxQueue) throw unavailable('the access log is behind: its queue is full');
  };

  const write = (): Promise<void> => {
    if (!writing) {
      writing = drain().finally(() => {
        writing = undefined;
      });
    }
    return writing;
  };

  const schedule = () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      write().catch(() => {
        // kept in `failure`: the next record() refuses, flush() rejects
      });
    }, 0);
    (timer as { unref?: () => void }).unref?.();
  };

  const flush = async (): Promise<void> => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    // a write already under way may have taken only part of the queue
    while (writing || queue.length > 0 || pending.length > 0) await write();
  };

  const log: AccessLog & { readonly [ACCESS_LOG]: true } = {
    [ACCESS_LOG]: true,
    chain,
    purpose,
    watch,
    record(record) {
      assertWritable();
      // a snapshot, checked now: the caller may change its objects later, and a string no sink can store must not
      // poison a batch
      const snapshot = snapshotOf(record);
      watch?.observe(snapshot);
      queue.push(snapshot);
      schedule();
    },
    assertWritable,
    flush,
    async close() {
      await flush();
      if (cps && !announced) await announce().catch((err: unknown) => onError?.(err));
      await checkpoint(true);
      if (anchorTimer !== undefined) {
        clearTimeout(anchorTimer);
        anchorTimer = undefined;
      }
      armAnchorTimer(); // only if the last checkpoint failed
    },
    subjectRef: (subjectId) => {
      if (typeof subjectId !== 'string') throw new PurposefulError('PF_INPUT_INVALID', 'a subject id is a string');
      return subjectRefOf(subjectId);
    },
    async forSubject(subjectId, range = {}) {
      const query = normalizeAccessQuery({
        subject: log.subjectRef(subjectId),
        ...(range.from !== undefined ? { from: range.from } : {}),
        ...(range.to !== undefined ? { to: range.to } : {}),
      });
      await flush();
      return sink.read(query);
    },
    async subjectReport(subjectId, reportOptions = {}) {
      const events = await log.forSubject(subjectId);
      return events
        .filter((e) => e.decision === 'allow' && (e.action === 'open' || e.action === 'outbound'))
        .map((e) => ({
          time: e.time,
          purpose: e.purpose,
          action: e.action,
          recipients: (reportOptions.purposes?.get(e.purpose ?? '')?.declaration.recipients ?? []).map((r) => r.name),
        }))
        .sort((a, b) => byKey(a.time, b.time));
    },
    async query(query) {
      const normalized = normalizeAccessQuery(query);
      await flush();
      return sink.read(normalized);
    },
    async verify(verifyOptions = {}) {
      await flush();
      const checkpoints = cps ? await (cps.sink as CheckpointSink).read() : [];
      const report = await verifyAccessLog(await sink.read(), {
        checkpoints: verifyOptions.keys ? checkpoints : [],
        ...(verifyOptions.keys ? { keys: verifyOptions.keys } : {}),
      });
      const torn = sink.inspect ? (await sink.inspect()).torn : undefined;
      return torn ? { ...report, torn } : report;
    },
  };
  return Object.freeze(log);
}
