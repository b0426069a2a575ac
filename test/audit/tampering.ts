/**
 * Tampering with a whole access-log store, the same way on every sink
 * (memory, JSONL file, PostgreSQL): the newest events cut off after the last
 * checkpoint, a whole chain deleted, a chain fabricated by someone who can
 * write the store but does not hold the checkpoint key. Each sink's test file
 * calls `describeStoreTampering` with a way to get a fresh, empty store.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AccessEvent,
  type AccessLogSink,
  type AccessRecord,
  accessEventHash,
  type CheckpointSink,
  checkpointSigner,
  createAccessLog,
  GENESIS_HASH,
  verifyAccessLog,
} from '../../src/index.js';

/** A fresh, empty store and how to cut events out of it directly, as someone with write access to it would. */
export interface TamperTarget {
  readonly sink: AccessLogSink;
  readonly checkpoints: CheckpointSink;
  /** Deletes the events of `chain` from sequence `fromSeq` on (from 1: the whole chain). */
  remove(chain: string, fromSeq: number): Promise<void>;
}

export async function anchorKeys() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const sign = checkpointSigner({ key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'anchor' });
  const keys = { keys: [{ ...(await exportJWK(publicKey)), kid: 'anchor', alg: 'EdDSA' }] };
  return { sign, keys };
}

const subjectKey = new Uint8Array(32).fill(3);
const T = 60_000;

export const tamperRecord = (i: number, actor = 'agent-7'): AccessRecord => ({
  time: new Date(Date.UTC(2026, 10, 29, 10, 0, i)).toISOString(),
  action: 'open',
  decision: 'allow',
  actor: { id: actor, roles: ['support'], mfa: false },
  subjectId: `cust-${i}`,
  schema: 'customer',
  fields: ['email'],
  categories: ['user.contact.email'],
  sensitive: false,
  purpose: 'support.ticket',
});

/** A chain whose every hash is right, made without the checkpoint key. */
export function forgedChain(chain: string, n: number): AccessEvent[] {
  const out: AccessEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const { subjectId: _s, ...r } = tamperRecord(seq, 'agent-0');
    const body = { v: 1 as const, chain, seq, ...r, subject: `sr_${'A'.repeat(43)}`, prev };
    const hash = accessEventHash(body);
    out.push({ ...body, hash });
    prev = hash;
  }
  return out;
}

export function describeStoreTampering(name: string, fresh: () => Promise<TamperTarget>): void {
  describe(`whole-store tampering on ${name}: announcements and the interval checkpoint`, () => {
    beforeEach(() => {
      // only what the log's timers read: the sinks' own I/O runs for real
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 10, 29, 10) });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    async function opened(target: TamperTarget) {
      const { sign, keys } = await anchorKeys();
      const order: string[] = [];
      // checkpoints as they land in the sink, and who waits for one: no polling, no clock
      const landed: number[] = [];
      let waiting: (() => boolean)[] = [];
      const sink: AccessLogSink = {
        append: async (events) => {
          order.push(`events ${events[0]?.seq}`);
          await target.sink.append(events);
        },
        read: (q) => target.sink.read(q),
      };
      const checkpoints: CheckpointSink = {
        append: async (cp) => {
          order.push(`checkpoint ${cp.seq}`);
          await target.checkpoints.append(cp);
          landed.push(cp.seq);
          waiting = waiting.filter((done) => !done());
        },
        read: () => target.checkpoints.read(),
      };
      // checkpoints by count never come into it: only the announcement and the interval
      const log = createAccessLog({
        sink,
        subjectKey,
        instance: 'web-1',
        checkpoints: { sink: checkpoints, sign, every: 1_000_000 },
      });
      const anchors = async () => (await target.checkpoints.read()).filter((c) => c.chain === log.chain).map((c) => c.seq);
      const verify = async () =>
        verifyAccessLog(await target.sink.read(), { checkpoints: await target.checkpoints.read(), keys });
      /** Resolves once the checkpoints landed so far satisfy `ok` (the interval's checkpoint is signed and written after the timer fires). */
      const landedWhen = (ok: (seqs: readonly number[]) => boolean) =>
        new Promise<void>((resolve) => {
          const done = () => {
            if (!ok(landed)) return false;
            resolve();
            return true;
          };
          if (!done()) waiting.push(done);
        });
      return { log, order, anchors, verify, landedWhen };
    }

    it('announces the chain in the checkpoint sink before its first event is written', async () => {
      const target = await fresh();
      const { log, order, anchors, verify } = await opened(target);
      for (let i = 1; i <= 3; i++) log.record(tamperRecord(i));
      await log.flush();
      expect(order).toEqual(['checkpoint 0', 'events 1']);
      expect(await anchors()).toEqual([0]);
      expect(await verify()).toMatchObject({ ok: true, unanchored: 3 });
    });

    it(`anchors written events within intervalMs (default ${T / 1000} s) while events flow, and only then`, async () => {
      const target = await fresh();
      const { log, anchors, landedWhen } = await opened(target);
      for (let i = 1; i <= 3; i++) log.record(tamperRecord(i));
      await log.flush();
      await vi.advanceTimersByTimeAsync(T - 1);
      expect(await anchors()).toEqual([0]);
      await vi.advanceTimersByTimeAsync(1);
      await landedWhen((seqs) => seqs.length === 2);
      expect(await anchors()).toEqual([0, 3]);
      // a slow trickle: one event every 10 s, still anchored once per interval
      for (let i = 4; i <= 9; i++) {
        await vi.advanceTimersByTimeAsync(10_000);
        log.record(tamperRecord(i));
        await log.flush();
      }
      await landedWhen((seqs) => seqs.length === 3);
      expect((await anchors())[2]).toBeGreaterThanOrEqual(8);
      await vi.advanceTimersByTimeAsync(T);
      await landedWhen((seqs) => seqs.at(-1) === 9);
      // nothing flows: no more checkpoints
      await vi.advanceTimersByTimeAsync(10 * T);
      expect(await anchors()).toHaveLength(4);
    });

    it('catches the newest events cut off once their interval has passed (tail after the last checkpoint)', async () => {
      const target = await fresh();
      const { log, verify, landedWhen } = await opened(target);
      for (let i = 1; i <= 5; i++) log.record(tamperRecord(i));
      await log.flush();
      // within the interval the newest events are the documented residual: unanchored, and reported so
      expect(await verify()).toMatchObject({ ok: true, unanchored: 5 });
      await vi.advanceTimersByTimeAsync(T);
      await landedWhen((seqs) => seqs.includes(5));
      await target.remove(log.chain, 3);
      expect((await verify()).broken).toMatchObject({ chain: log.chain, seq: 5, reason: 'truncated' });
    });

    it('catches a whole chain deleted', async () => {
      const target = await fresh();
      const { log, verify, landedWhen } = await opened(target);
      for (let i = 1; i <= 4; i++) log.record(tamperRecord(i));
      await log.flush();
      await vi.advanceTimersByTimeAsync(T);
      await landedWhen((seqs) => seqs.includes(4));
      await target.remove(log.chain, 1);
      const report = await verify();
      expect(report.broken).toMatchObject({ chain: log.chain, seq: 4, reason: 'chain_missing' });
      expect(report.broken?.message).not.toMatch(/agent-|cust-/);
    });

    it('catches a chain fabricated by someone who can write the store but holds no checkpoint key', async () => {
      const target = await fresh();
      const { log, verify } = await opened(target);
      log.record(tamperRecord(1));
      await log.close();
      const forged = forgedChain('web-9.forged', 3);
      // a plain chain cannot tell: every hash is right
      expect((await verifyAccessLog(forged)).ok).toBe(true);
      await target.sink.append(forged);
      expect((await verify()).broken).toMatchObject({ chain: 'web-9.forged', seq: 1, reason: 'unannounced' });
    });

    it('lists an announced writer that wrote nothing, and verifies', async () => {
      const target = await fresh();
      const { log, verify } = await opened(target);
      await log.close();
      expect(await verify()).toMatchObject({
        ok: true,
        events: 0,
        chains: [{ chain: log.chain, events: 0, lastSeq: 0, anchoredThrough: 0 }],
      });
    });
  });
}
