/**
 * The writing side of the access log: records are queued on the request path
 * and, off it, turned into hash-chained events and written to the sink in
 * batches. A failed write is retried with the same events; while the sink
 * fails or the queue is full, new records are refused (fail closed).
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { ChainCheckpoints } from './checkpoints.js';
import { type AccessEvent, type AccessRecord, chainHash, GENESIS_HASH } from './event.js';
import type { AccessLogSink } from './sink.js';

/** Processing is refused when it cannot be logged: security and demonstrable accountability, not the record of processing. */
export function unavailable(message: string, cause?: unknown): PurposefulError {
  return new PurposefulError('PF_AUDIT_UNAVAILABLE', message, {
    article: 'LGPD Art. 6 X, 46, 49; GDPR Art. 5(2), 24, 32',
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** What a writer needs, checked. */
export interface ChainWriterSettings {
  readonly sink: AccessLogSink;
  readonly chain: string;
  readonly subjectRefOf: (subjectId: string) => string;
  readonly maxQueue: number;
  readonly batchSize: number;
  readonly onError: ((err: unknown) => void) | undefined;
}

/** One writer's chain: its queue, its last hash, and the batches in flight. */
export class ChainWriter {
  private queue: AccessRecord[] = [];
  /** Hashed and not yet written (a failed write is retried with the same events). */
  private pending: AccessEvent[] = [];
  private seq = 0;
  private lastHash = GENESIS_HASH;
  private failure: unknown;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly settings: ChainWriterSettings,
    private readonly checkpoints: ChainCheckpoints,
  ) {}

  /** Throws `PF_AUDIT_UNAVAILABLE` while the sink fails or the queue is full. */
  assertWritable(): void {
    if (this.failure !== undefined) {
      throw unavailable('the access log is failing to write: processing is refused until it recovers (flush() retries)');
    }
    if (this.queue.length + this.pending.length >= this.settings.maxQueue) {
      throw unavailable('the access log is behind: its queue is full');
    }
  }

  /** Queues a checked snapshot; the write follows on a timer. */
  enqueue(snapshot: AccessRecord): void {
    this.queue.push(snapshot);
    this.schedule();
  }

  /** Writes everything queued, including what a write under way did not take. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // a write already under way may have taken only part of the queue
    while (this.writing || this.queue.length > 0 || this.pending.length > 0) await this.write();
  }

  /** The next event of the chain: one copy of the record, the body hashed, then the links added to the same object. */
  private toEvent(r: AccessRecord): AccessEvent {
    const { chain, subjectRefOf } = this.settings;
    const seq = ++this.seq;
    const event: Record<string, unknown> = { v: 1, chain, seq };
    for (const key of Object.keys(r)) {
      if (key === 'subjectId') {
        if (r.subjectId !== undefined) event.subject = subjectRefOf(r.subjectId);
      } else event[key] = (r as unknown as Record<string, unknown>)[key];
    }
    const hash = chainHash(this.lastHash, event);
    event.prev = this.lastHash;
    event.hash = hash;
    this.lastHash = hash;
    return event as unknown as AccessEvent;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write().catch(() => {
        // kept in `failure`: the next record() refuses, flush() rejects
      });
    }, 0);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private write(): Promise<void> {
    if (!this.writing) {
      this.writing = this.drain().finally(() => {
        this.writing = undefined;
      });
    }
    return this.writing;
  }

  private fail(err: unknown, message: string): PurposefulError {
    this.failure = err;
    this.settings.onError?.(err);
    return unavailable(message, err);
  }

  /** Writes batch after batch until nothing is queued, each after the chain is announced, each followed by its checkpoint. */
  private async drain(): Promise<void> {
    const cps = this.checkpoints;
    while (this.pending.length > 0 || this.queue.length > 0) {
      if (cps.settings && !cps.announced) {
        try {
          await cps.announce();
        } catch (err) {
          throw this.fail(err, 'the access log could not announce its chain to the checkpoint sink');
        }
      }
      try {
        if (this.pending.length === 0) this.pending = this.nextBatch().map(this.toEvent, this);
        await this.settings.sink.append(this.pending);
      } catch (err) {
        throw this.fail(err, 'the access log could not write to its sink');
      }
      const last = this.pending[this.pending.length - 1] as AccessEvent;
      cps.written(last.seq, last.hash);
      this.pending = [];
      this.failure = undefined;
      await cps.checkpoint(false);
      cps.armTimer();
    }
  }

  /** Takes up to `batchSize` records off the queue. */
  private nextBatch(): AccessRecord[] {
    const { queue } = this;
    const { batchSize } = this.settings;
    const batch = queue.length <= batchSize ? queue : queue.slice(0, batchSize);
    this.queue = queue.length <= batchSize ? [] : queue.slice(batchSize);
    return batch;
  }
}
