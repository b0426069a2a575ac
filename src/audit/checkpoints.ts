/**
 * The signed checkpoints of one chain: the announcement at sequence 0 when the
 * log opens, then an anchor of the last written event every `every` events, and
 * at least every `intervalMs` while events flow (a timer that does not keep the
 * process alive). Checkpoints are taken one at a time, in sequence order; one
 * that fails leaves the events unanchored until the next one succeeds.
 *
 * @module
 * @internal
 */
import { GENESIS_HASH } from './event.js';
import type { CheckpointSink } from './sink.js';
import type { CheckpointSign } from './verify.js';

/** Checkpoint settings, checked and with their defaults. */
export interface CheckpointSettings {
  readonly sink: CheckpointSink;
  readonly sign: CheckpointSign;
  readonly every: number;
  readonly intervalMs: number;
}

/** The checkpoints of one chain; without settings every step does nothing (but still runs in order). */
export class ChainCheckpoints {
  /** The last event the sink holds: what a checkpoint may anchor (never an event still being written). */
  private writtenSeq = 0;
  private writtenHash = GENESIS_HASH;
  private anchoredSeq = 0;
  /** When the last checkpoint was taken or tried: the interval counts from it. */
  private anchoredAt = Date.now();
  announced = false;
  private announcing: Promise<void> | undefined;
  /** Checkpoints one at a time, in sequence order. */
  private anchoring: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly chain: string,
    readonly settings: CheckpointSettings | undefined,
    private readonly onError: ((err: unknown) => void) | undefined,
  ) {}

  /** The sink now holds every event up to `seq`, the last of them hashed `hash`. */
  written(seq: number, hash: string): void {
    this.writtenSeq = seq;
    this.writtenHash = hash;
  }

  private async anchor(at: number, hash: string): Promise<void> {
    const cps = this.settings;
    if (!cps) return;
    const chain = this.chain;
    const claims = { v: 1 as const, chain, seq: at, hash, time: new Date().toISOString() };
    const jws = await cps.sign(claims);
    await cps.sink.append({ chain, seq: at, hash, time: claims.time, jws });
  }

  /** The announcement: a checkpoint at sequence 0 over the genesis hash, so that a chain nobody announced is a forgery. */
  announce(): Promise<void> {
    if (this.announced) return Promise.resolve();
    this.announcing ??= this.anchor(0, GENESIS_HASH).then(
      () => {
        this.announced = true;
        this.anchoredAt = Date.now();
      },
      (err: unknown) => {
        this.announcing = undefined;
        throw err;
      },
    );
    return this.announcing;
  }

  /** Anchors the last written event when `every` events or `intervalMs` have passed since the last checkpoint, or at once with `force`. */
  checkpoint(force: boolean): Promise<void> {
    this.anchoring = this.anchoring.then(async () => {
      const cps = this.settings;
      if (!cps || !this.announced || this.writtenSeq === this.anchoredSeq) return;
      if (!force && this.writtenSeq - this.anchoredSeq < cps.every && Date.now() - this.anchoredAt < cps.intervalMs) return;
      const at = this.writtenSeq;
      try {
        await this.anchor(at, this.writtenHash);
        this.anchoredSeq = at;
      } catch (err) {
        // the events are written; they stay unanchored until the next checkpoint succeeds (tried again after intervalMs)
        this.onError?.(err);
      }
      this.anchoredAt = Date.now();
    });
    return this.anchoring;
  }

  /** Events written and not anchored get a checkpoint within intervalMs of the last one, even if no event follows. */
  armTimer(): void {
    const cps = this.settings;
    if (!cps || this.timer !== undefined || this.writtenSeq === this.anchoredSeq) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.checkpoint(true).then(() => this.armTimer());
      },
      Math.max(0, this.anchoredAt + cps.intervalMs - Date.now()),
    );
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Stops the timer of a pending checkpoint. */
  stopTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
