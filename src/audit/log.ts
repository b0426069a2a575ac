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
import type { JwkSet } from '../util/jwk.js';
import { hmacSha256 } from '../util/sha256.js';
import { byKey } from '../util/text.js';
import { ChainCheckpoints, type CheckpointSettings } from './checkpoints.js';
import type { AccessEvent, AccessRecord } from './event.js';
import { type AccessLogSink, type AccessQuery, type CheckpointSink, normalizeAccessQuery } from './sink.js';
import { snapshotOf } from './snapshot.js';
import { type AccessLogVerification, type CheckpointSign, verifyAccessLog } from './verify.js';
import type { AnomalyWatch } from './watch.js';
import { ChainWriter, type ChainWriterSettings } from './writer.js';

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
  const settings = accessLogSettings(options);
  const { sink, chain, watch, onError } = settings;
  const cps = settings.checkpoints;
  const checkpoints = new ChainCheckpoints(chain, cps, onError);
  const writer = new ChainWriter(settings, checkpoints);
  if (cps) {
    // announced when the log opens; a failure here is retried before the first write, which waits for it
    checkpoints.announce().catch((err: unknown) => onError?.(err));
  }
  const flush = (): Promise<void> => writer.flush();

  const log: AccessLog & { readonly [ACCESS_LOG]: true } = {
    [ACCESS_LOG]: true,
    chain,
    purpose: settings.purpose,
    watch,
    record(record) {
      writer.assertWritable();
      // a snapshot, checked now: the caller may change its objects later, and a string no sink can store must not
      // poison a batch
      const snapshot = snapshotOf(record);
      watch?.observe(snapshot);
      writer.enqueue(snapshot);
    },
    assertWritable: () => writer.assertWritable(),
    flush,
    async close() {
      await flush();
      if (cps && !checkpoints.announced) await checkpoints.announce().catch((err: unknown) => onError?.(err));
      await checkpoints.checkpoint(true);
      checkpoints.stopTimer();
      checkpoints.armTimer(); // only if the last checkpoint failed
    },
    subjectRef: (subjectId) => {
      if (typeof subjectId !== 'string') throw new PurposefulError('PF_INPUT_INVALID', 'a subject id is a string');
      return settings.subjectRefOf(subjectId);
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
      return subjectReportOf(await log.forSubject(subjectId), reportOptions.purposes);
    },
    async query(query) {
      const normalized = normalizeAccessQuery(query);
      await flush();
      return sink.read(normalized);
    },
    async verify(verifyOptions = {}) {
      await flush();
      return verifySinks(sink, cps?.sink, verifyOptions.keys);
    },
  };
  return Object.freeze(log);
}

/** The checked options of a log, with their defaults, and the name of this writer's chain. */
interface AccessLogSettings extends ChainWriterSettings {
  readonly purpose: string;
  readonly checkpoints: CheckpointSettings | undefined;
  readonly watch: AnomalyWatch | undefined;
}

/** Checks the options of {@link createAccessLog} (`PF_OPTIONS_INVALID`) and names the chain: `<instance>.<epoch>`. */
function accessLogSettings(options: AccessLogOptions): AccessLogSettings {
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
  const checkpoints = checkpointSettings(options.checkpoints);
  // the epoch tells this writer's chain from an earlier one of the same instance
  const epoch = `${Date.now().toString(36)}${base64urlEncode(crypto.getRandomValues(new Uint8Array(6)))}`;
  return {
    sink,
    chain: `${instance}.${epoch}`,
    subjectRefOf,
    maxQueue,
    batchSize,
    onError: options.onError,
    purpose,
    checkpoints,
    watch: options.watch,
  };
}

/** Checks `options.checkpoints` and gives them their defaults. */
function checkpointSettings(cps: AccessLogOptions['checkpoints']): CheckpointSettings | undefined {
  const every = cps?.every ?? 1000;
  const intervalMs = cps?.intervalMs ?? 60_000;
  if (!cps) return undefined;
  if (typeof cps.sign !== 'function' || typeof cps.sink?.append !== 'function') {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'createAccessLog(): checkpoints need { sink, sign }');
  }
  if (!Number.isSafeInteger(every) || every < 1 || !Number.isSafeInteger(intervalMs) || intervalMs < 1) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'createAccessLog(): checkpoints.every and intervalMs must be positive integers',
    );
  }
  return { sink: cps.sink, sign: cps.sign, every, intervalMs };
}

/** What the subject is told: the reads allowed (`open`, `outbound`), with the recipients of their purposes, oldest first. */
function subjectReportOf(events: readonly AccessEvent[], purposes: Purposes | undefined): SubjectAccessEntry[] {
  return events
    .filter((e) => e.decision === 'allow' && (e.action === 'open' || e.action === 'outbound'))
    .map((e) => ({
      time: e.time,
      purpose: e.purpose,
      action: e.action,
      recipients: (purposes?.get(e.purpose ?? '')?.declaration.recipients ?? []).map((r) => r.name),
    }))
    .sort((a, b) => byKey(a.time, b.time));
}

/** Verifies every chain of the sink, with `keys` against the checkpoints too, and reports a torn last write. */
async function verifySinks(
  sink: AccessLogSink,
  checkpointSink: CheckpointSink | undefined,
  keys: JwkSet | undefined,
): Promise<AccessLogVerification> {
  const checkpoints = checkpointSink ? await checkpointSink.read() : [];
  const report = await verifyAccessLog(await sink.read(), {
    checkpoints: keys ? checkpoints : [],
    ...(keys ? { keys } : {}),
  });
  const torn = sink.inspect ? (await sink.inspect()).torn : undefined;
  return torn ? { ...report, torn } : report;
}
