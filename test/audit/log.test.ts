import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccessEvent,
  type AccessLogSink,
  type AccessRecord,
  accessEventHash,
  anomalyWatch,
  type CheckpointSink,
  createAccessLog,
  GENESIS_HASH,
  isPurposefulError,
  memoryAccessLogSink,
  memoryCheckpointSink,
  verifyAccessLog,
} from '../../src/index.js';
import { anchorKeys, describeStoreTampering } from './tampering.js';

const subjectKey = new Uint8Array(32).fill(7);

const rec = (over: Partial<AccessRecord> = {}): AccessRecord => ({
  time: '2026-11-29T10:00:00.000Z',
  action: 'open',
  decision: 'allow',
  actor: { id: 'agent-7', roles: ['support'], mfa: false },
  subjectId: 'cust-1',
  schema: 'customer',
  fields: ['email', 'cpf'],
  categories: ['user.contact.email', 'user.government_id'],
  sensitive: false,
  purpose: 'support.ticket',
  legalBasis: { lgpd: 'contract', gdpr: 'contract' },
  ...over,
});

async function logged(n: number, sink = memoryAccessLogSink()) {
  const log = createAccessLog({ sink, subjectKey, instance: 'test' });
  for (let i = 0; i < n; i++)
    log.record(rec({ subjectId: `cust-${i % 3}`, time: `2026-11-29T10:00:${String(i % 60).padStart(2, '0')}.000Z` }));
  await log.flush();
  return { log, sink };
}

/** Rehashes a chain from `from` on, as a writer covering an edit would. */
function rehash(events: AccessEvent[], from: number): void {
  for (let i = from; i < events.length; i++) {
    const e = events[i] as AccessEvent;
    const prev = i === 0 ? GENESIS_HASH : (events[i - 1] as AccessEvent).hash;
    const body = { ...e, prev };
    events[i] = { ...body, hash: accessEventHash(body) };
  }
}

describe('the access log', () => {
  it('chains every event with its writer, sequence and hash; the subject is a keyed reference', async () => {
    const { log, sink } = await logged(5);
    expect(sink.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(sink.events[0]?.prev).toBe(GENESIS_HASH);
    expect(sink.events[1]?.prev).toBe(sink.events[0]?.hash);
    expect(new Set(sink.events.map((e) => e.chain))).toEqual(new Set([log.chain]));
    expect(log.chain).toMatch(/^test\./);
    expect(sink.events[0]?.subject).toBe(log.subjectRef('cust-0'));
    expect(sink.events[0]?.subject).toMatch(/^sr_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(sink.events)).not.toContain('cust-');
    expect(await log.verify()).toMatchObject({ ok: true, events: 5, unanchored: 5 });
  });

  it('records off the request path: record() only queues, and the write comes later', async () => {
    const sink = memoryAccessLogSink();
    const log = createAccessLog({ sink, subjectKey });
    log.record(rec());
    expect(sink.events).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(sink.events).toHaveLength(1);
  });

  it('answers the DPO by subject (with actors), the subject without staff identities, and queries', async () => {
    const sink = memoryAccessLogSink();
    const log = createAccessLog({ sink, subjectKey });
    log.record(rec({ time: '2026-11-01T09:00:00.000Z' }));
    log.record(
      rec({
        time: '2026-11-02T09:00:00.000Z',
        actor: { id: 'agent-9', roles: ['billing'], mfa: true },
        purpose: 'billing.invoice',
      }),
    );
    log.record(
      rec({ time: '2026-11-03T09:00:00.000Z', subjectId: 'cust-2', categories: ['user.health_and_medical'], sensitive: true }),
    );
    log.record(rec({ time: '2026-11-04T09:00:00.000Z', decision: 'deny', reason: 'PF_CONSENT_REQUIRED' }));
    const mine = await log.forSubject('cust-1');
    expect(mine.map((e) => e.actor.id)).toEqual(['agent-7', 'agent-9', 'agent-7']);
    const report = await log.subjectReport('cust-1');
    expect(report).toEqual([
      { time: '2026-11-01T09:00:00.000Z', purpose: 'support.ticket', action: 'open', recipients: [] },
      { time: '2026-11-02T09:00:00.000Z', purpose: 'billing.invoice', action: 'open', recipients: [] },
    ]);
    expect(JSON.stringify(report)).not.toContain('agent');
    expect((await log.query({ actor: 'agent-9' })).map((e) => e.seq)).toEqual([2]);
    expect((await log.query({ purpose: 'support.ticket', decision: 'deny' })).map((e) => e.seq)).toEqual([4]);
    expect((await log.query({ category: 'user.health_and_medical' })).map((e) => e.seq)).toEqual([3]);
    expect((await log.query({ category: 'user.contact' })).map((e) => e.seq)).toEqual([1, 2, 4]);
    expect((await log.query({ from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T23:59:59.999Z' })).map((e) => e.seq)).toEqual([
      2, 3,
    ]);
  });

  it('keeps one chain per writer: two logs on one sink both verify', async () => {
    const sink = memoryAccessLogSink();
    const a = createAccessLog({ sink, subjectKey, instance: 'a' });
    const b = createAccessLog({ sink, subjectKey, instance: 'b' });
    for (let i = 0; i < 20; i++) (i % 3 ? a : b).record(rec());
    await Promise.all([a.flush(), b.flush()]);
    const report = await verifyAccessLog(sink.events);
    expect(report.ok).toBe(true);
    expect(report.chains.map((c) => c.events).sort((x, y) => x - y)).toEqual([7, 13]);
  });

  it('fails closed: a sink that fails makes record() refuse until a flush succeeds, and nothing is lost', async () => {
    const inner = memoryAccessLogSink();
    let down = false;
    const sink: AccessLogSink = {
      append: async (events) => {
        if (down) throw new Error('connection refused');
        await inner.append(events);
      },
      read: (q) => inner.read(q),
    };
    const errors: unknown[] = [];
    const log = createAccessLog({ sink, subjectKey, onError: (e) => errors.push(e) });
    log.record(rec());
    await log.flush();
    down = true;
    log.record(rec());
    const failed = await log.flush().catch((e) => e);
    expect(isPurposefulError(failed) && failed.code).toBe('PF_AUDIT_UNAVAILABLE');
    expect(() => log.record(rec())).toThrow(expect.objectContaining({ code: 'PF_AUDIT_UNAVAILABLE' }));
    expect(errors).toHaveLength(1);
    down = false;
    await log.flush();
    log.record(rec());
    await log.flush();
    expect(inner.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await verifyAccessLog(inner.events)).ok).toBe(true);
  });

  it('refuses records when its queue is full', () => {
    const log = createAccessLog({ sink: { append: () => new Promise(() => {}), read: async () => [] }, subjectKey, maxQueue: 3 });
    for (let i = 0; i < 3; i++) log.record(rec());
    expect(() => log.record(rec())).toThrow(expect.objectContaining({ code: 'PF_AUDIT_UNAVAILABLE' }));
  });

  it('refuses bad options', () => {
    const sink = memoryAccessLogSink();
    expect(() => createAccessLog({ sink, subjectKey: new Uint8Array(8) })).toThrow(/subjectKey/);
    expect(() => createAccessLog({ sink: {} as never, subjectKey })).toThrow(/sink/);
    expect(() => createAccessLog({ sink, subjectKey, instance: 'a b' })).toThrow(/instance/);
    expect(() => createAccessLog({ sink, subjectKey, maxQueue: 0 })).toThrow(/maxQueue/);
  });
});

describe('tamper evidence', () => {
  const tamper: Record<string, (events: AccessEvent[]) => void> = {
    edited: (e) => {
      e[2] = { ...(e[2] as AccessEvent), purpose: 'marketing.email' };
    },
    deleted: (e) => {
      e.splice(2, 1);
    },
    'deleted and relinked': (e) => {
      e.splice(2, 1);
      rehash(e, 2);
    },
    'first deleted': (e) => {
      e.shift();
    },
    inserted: (e) => {
      e.splice(3, 0, { ...(e[1] as AccessEvent) });
    },
    reordered: (e) => {
      const x = e[1] as AccessEvent;
      e[1] = e[2] as AccessEvent;
      e[2] = x;
    },
  };

  for (const [name, change] of Object.entries(tamper)) {
    it(`catches an event ${name}, with the sequence where the chain breaks`, async () => {
      const { sink } = await logged(6);
      change(sink.events);
      const report = await verifyAccessLog(sink.events);
      expect(report.ok).toBe(false);
      expect(report.broken?.seq).toBeGreaterThanOrEqual(1);
      expect(report.broken?.message).not.toMatch(/cust-|agent-/);
    });
  }

  it('names the reason', async () => {
    const reasons: Record<string, string> = {};
    for (const [name, change] of Object.entries(tamper)) {
      const { sink } = await logged(6);
      change(sink.events);
      reasons[name] = (await verifyAccessLog(sink.events)).broken?.reason as string;
    }
    expect(reasons).toEqual({
      edited: 'hash_mismatch',
      deleted: 'sequence_gap',
      'deleted and relinked': 'sequence_gap',
      'first deleted': 'chain_start',
      inserted: 'sequence_out_of_order',
      reordered: 'sequence_out_of_order',
    });
  });
});

describe('signed checkpoints', () => {
  async function anchored(n: number, every: number) {
    const { sign, keys } = await anchorKeys();
    const sink = memoryAccessLogSink();
    const cpSink = memoryCheckpointSink();
    const log = createAccessLog({ sink, subjectKey, checkpoints: { sink: cpSink, sign, every } });
    for (let i = 0; i < n; i++) log.record(rec({ subjectId: `cust-${i}` }));
    await log.flush();
    return { log, sink, cpSink, keys, sign };
  }

  it('anchor the chain every N events; the rest is reported unanchored; close() anchors the end', async () => {
    const { log, cpSink, keys } = await anchored(7, 3);
    // the announcement (0), then the batch of 7, written at once: one checkpoint at its end
    expect(cpSink.checkpoints.map((c) => c.seq)).toEqual([0, 7]);
    for (let i = 0; i < 2; i++) {
      log.record(rec());
      await log.flush();
    }
    expect(await log.verify({ keys })).toMatchObject({ ok: true, unanchored: 2 });
    await log.close();
    expect(await log.verify({ keys })).toMatchObject({ ok: true, unanchored: 0, chains: [{ anchoredThrough: 9 }] });
  });

  it('catch a history rewritten by someone who can write the log (edited, renumbered, rehashed)', async () => {
    const { sink, cpSink, keys } = await anchored(6, 2);
    sink.events.splice(1, 1);
    sink.events.forEach((e, i) => {
      sink.events[i] = { ...e, seq: i + 1 };
    });
    rehash(sink.events, 1);
    // a plain chain cannot tell
    expect((await verifyAccessLog(sink.events)).ok).toBe(true);
    const report = await verifyAccessLog(sink.events, { checkpoints: cpSink.checkpoints, keys });
    expect(report).toMatchObject({ ok: false, broken: { reason: 'truncated' } });
    // the same rewrite, topped up to the anchored length: the anchored hash differs
    sink.events.push({ ...(sink.events[4] as AccessEvent), seq: 6 });
    rehash(sink.events, 5);
    expect((await verifyAccessLog(sink.events, { checkpoints: cpSink.checkpoints, keys })).broken?.reason).toBe(
      'checkpoint_mismatch',
    );
  });

  it('catch the newest events cut off', async () => {
    const { sink, cpSink, keys } = await anchored(5, 1);
    sink.events.pop();
    const report = await verifyAccessLog(sink.events, { checkpoints: cpSink.checkpoints, keys });
    expect(report.broken).toMatchObject({ reason: 'truncated', seq: 5 });
  });

  it('refuse a forged or altered checkpoint, and checkpoints without keys', async () => {
    const { sink, cpSink, keys } = await anchored(3, 1);
    const other = await anchorKeys();
    const forged = { ...(cpSink.checkpoints[0] as (typeof cpSink.checkpoints)[number]) };
    forged.jws = await other.sign({ v: 1, chain: forged.chain, seq: forged.seq, hash: forged.hash, time: forged.time });
    expect((await verifyAccessLog(sink.events, { checkpoints: [forged], keys })).broken?.reason).toBe('checkpoint_invalid');
    const [h, p, sig] = (cpSink.checkpoints[0] as { jws: string }).jws.split('.');
    const altered = { ...(cpSink.checkpoints[0] as (typeof cpSink.checkpoints)[number]), jws: `${h}.${p}x.${sig}` };
    expect((await verifyAccessLog(sink.events, { checkpoints: [altered], keys })).broken?.reason).toBe('checkpoint_invalid');
    await expect(verifyAccessLog(sink.events, { checkpoints: cpSink.checkpoints })).rejects.toThrow(/public keys/);
  });

  it('a signer failing after the announcement leaves events written and unanchored, and says so', async () => {
    const errors: unknown[] = [];
    const cpSink: CheckpointSink = memoryCheckpointSink();
    const { sign, keys } = await anchorKeys();
    let down = false;
    const log = createAccessLog({
      sink: memoryAccessLogSink(),
      subjectKey,
      checkpoints: { sink: cpSink, sign: async (c) => (down ? Promise.reject(new Error('kms down')) : sign(c)), every: 1 },
      onError: (e) => errors.push(e),
    });
    await log.flush();
    await log.close(); // announced
    down = true;
    log.record(rec());
    await log.flush();
    expect(errors).toHaveLength(1);
    expect(await log.verify({ keys })).toMatchObject({ ok: true, unanchored: 1 });
  });
});

describe('verification, property-based', () => {
  it('an untouched log verifies; any single edit, deletion, duplication or swap does not', async () => {
    const { sink } = await logged(12);
    const original = sink.events.map((e) => ({ ...e }));
    expect((await verifyAccessLog(original)).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 0, max: 11 }),
        fc.constantFrom('edit', 'delete', 'duplicate', 'swap'),
        fc.string({ minLength: 1, maxLength: 8 }),
        async (i, j, op, text) => {
          const events = original.map((e) => ({ ...e }));
          if (op === 'edit') events[i] = { ...(events[i] as AccessEvent), purpose: `x.${text}` };
          if (op === 'delete') events.splice(i, 1);
          if (op === 'duplicate') events.splice(j, 0, { ...(events[i] as AccessEvent) });
          if (op === 'swap') {
            if (i === j) return;
            const x = events[i] as AccessEvent;
            events[i] = events[j] as AccessEvent;
            events[j] = x;
          }
          // deleting the last event is what only a checkpoint can see
          if (op === 'delete' && i === 11) return;
          expect((await verifyAccessLog(events)).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary input, and reports it malformed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.anything(), { maxLength: 5 }), async (junk) => {
        const report = await verifyAccessLog(junk);
        if (junk.length > 0) expect(report.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the anomaly watch', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 29, 10, 0, s)).toISOString();

  it('alerts once when an actor reads more distinct subjects than allowed, and blocks when asked', () => {
    const alerts: unknown[] = [];
    const watch = anomalyWatch({ thresholds: { windowMs: 60_000, subjects: 3 }, onAlert: (a) => alerts.push(a), block: true });
    for (let i = 0; i < 3; i++) watch.observe(rec({ subjectId: `c${i}`, time: at(i) }));
    watch.observe(rec({ subjectId: 'c1', time: at(4) })); // seen already
    expect(alerts).toHaveLength(0);
    watch.observe(rec({ subjectId: 'c9', time: at(5) }));
    watch.observe(rec({ subjectId: 'c10', time: at(6) }));
    expect(alerts).toEqual([
      { actor: 'agent-7', kind: 'subjects', count: 4, threshold: 3, windowMs: 60_000, time: at(5), blocked: true },
    ]);
    expect(watch.isBlocked('agent-7')).toBe(true);
    expect(watch.blocked()).toEqual(['agent-7']);
    watch.clear('agent-7');
    expect(watch.isBlocked('agent-7')).toBe(false);
  });

  it('forgets what left the window', () => {
    const alerts: unknown[] = [];
    const watch = anomalyWatch({ thresholds: { windowMs: 10_000, subjects: 2 }, onAlert: (a) => alerts.push(a) });
    for (let i = 0; i < 10; i++) watch.observe(rec({ subjectId: `c${i}`, time: at(i * 6) })); // at most 2 within any 10 s
    expect(alerts).toHaveLength(0);
  });

  it('counts sensitive reads and denials; roles raise limits; a purpose counts apart', () => {
    const alerts: { kind: string; purpose?: string; actor: string }[] = [];
    const watch = anomalyWatch({
      thresholds: { windowMs: 60_000, sensitiveReads: 1, denials: 2, subjects: 2 },
      roles: { supervisor: { windowMs: 60_000, subjects: 100 } },
      purposes: { 'billing.invoice': { windowMs: 60_000, subjects: 1 } },
      onAlert: (a) => alerts.push(a),
    });
    watch.observe(rec({ sensitive: true, time: at(1) }));
    watch.observe(rec({ sensitive: true, time: at(2) }));
    for (let i = 0; i < 3; i++) watch.observe(rec({ decision: 'deny', reason: 'PF_CONSENT_REQUIRED', time: at(3 + i) }));
    const boss = { id: 'boss', roles: ['supervisor'], mfa: true };
    for (let i = 0; i < 10; i++) watch.observe(rec({ actor: boss, subjectId: `s${i}`, time: at(10 + i) }));
    watch.observe(rec({ actor: boss, purpose: 'billing.invoice', subjectId: 'b1', time: at(30) }));
    watch.observe(rec({ actor: boss, purpose: 'billing.invoice', subjectId: 'b2', time: at(31) }));
    expect(alerts.map((a) => [a.actor, a.kind, a.purpose])).toEqual([
      ['agent-7', 'sensitive_reads', undefined],
      ['agent-7', 'denials', undefined],
      ['boss', 'subjects', 'billing.invoice'],
    ]);
  });

  it('keeps bounded memory: at most maxActors tracked', () => {
    const watch = anomalyWatch({ thresholds: { windowMs: 60_000, subjects: 1 }, maxActors: 10, onAlert: () => {} });
    for (let i = 0; i < 10_000; i++) watch.observe(rec({ actor: { id: `a${i}`, roles: [], mfa: false }, time: at(1) }));
    // the first actors were forgotten: a second subject for a0 is its first in the watch's eyes
    const alerts: unknown[] = [];
    const again = anomalyWatch({ thresholds: { windowMs: 60_000, subjects: 1 }, maxActors: 1, onAlert: (a) => alerts.push(a) });
    again.observe(rec({ actor: { id: 'x', roles: [], mfa: false }, subjectId: 'c1', time: at(1) }));
    again.observe(rec({ actor: { id: 'y', roles: [], mfa: false }, subjectId: 'c1', time: at(2) }));
    again.observe(rec({ actor: { id: 'x', roles: [], mfa: false }, subjectId: 'c2', time: at(3) }));
    expect(alerts).toHaveLength(0);
  });

  it('refuses bad thresholds', () => {
    expect(() => anomalyWatch({ thresholds: { windowMs: 0 } })).toThrow(/windowMs/);
    expect(() => anomalyWatch({ thresholds: { windowMs: 10, subjects: 1.5 } })).toThrow();
  });
});

describeStoreTampering('memory', async () => {
  const sink = memoryAccessLogSink();
  return {
    sink,
    checkpoints: memoryCheckpointSink(),
    async remove(chain, fromSeq) {
      for (let i = sink.events.length - 1; i >= 0; i--) {
        const e = sink.events[i] as AccessEvent;
        if (e.chain === chain && e.seq >= fromSeq) sink.events.splice(i, 1);
      }
    },
  };
});

describe('the announcement fails closed', () => {
  it('refuses records while the chain cannot be announced, and writes nothing before it is', async () => {
    const { sign, keys } = await anchorKeys();
    let down = true;
    const errors: unknown[] = [];
    const sink = memoryAccessLogSink();
    const cpSink = memoryCheckpointSink();
    const log = createAccessLog({
      sink,
      subjectKey,
      checkpoints: { sink: cpSink, sign: async (c) => (down ? Promise.reject(new Error('kms down')) : sign(c)) },
      onError: (e) => errors.push(e),
    });
    log.record(rec());
    await expect(log.flush()).rejects.toThrow(expect.objectContaining({ code: 'PF_AUDIT_UNAVAILABLE' }));
    expect(() => log.record(rec())).toThrow(expect.objectContaining({ code: 'PF_AUDIT_UNAVAILABLE' }));
    expect(sink.events).toHaveLength(0);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    down = false;
    await log.flush();
    expect(cpSink.checkpoints.map((c) => c.seq)).toEqual([0]);
    expect(sink.events.map((e) => e.seq)).toEqual([1]);
    await log.close();
    expect(await log.verify({ keys })).toMatchObject({ ok: true, unanchored: 0 });
  });

  it('refuses a signed announcement that anchors anything but the genesis hash', async () => {
    const { sign, keys } = await anchorKeys();
    const { log, sink } = await logged(2);
    const time = '2026-11-29T10:00:00.000Z';
    const bad = { chain: log.chain, seq: 0, hash: 'f'.repeat(64), time };
    const checkpoints = [{ ...bad, jws: await sign({ v: 1, ...bad }) }];
    expect((await verifyAccessLog(sink.events, { checkpoints, keys })).broken?.reason).toBe('checkpoint_invalid');
  });
});

describe('times, stored and queried in one form', () => {
  it('stores a zoned time in UTC and finds it by a bound in any zone; refuses a time without a zone', async () => {
    const { log, sink } = await logged(0);
    log.record(rec({ time: '2026-11-29T07:00:00-03:00' }));
    log.record(rec({ time: '2026-11-29T10:00:01Z' }));
    await log.flush();
    expect(sink.events.map((e) => e.time)).toEqual(['2026-11-29T10:00:00.000Z', '2026-11-29T10:00:01.000Z']);
    expect((await log.query({ from: '2026-11-29T07:00:00.500-03:00' })).map((e) => e.seq)).toEqual([2]);
    expect((await log.query({ to: '2026-11-29' })).map((e) => e.seq)).toEqual([]);
    expect((await log.forSubject('cust-1', { from: '2026-11-29' })).map((e) => e.seq)).toEqual([1, 2]);
    for (const time of ['2026-11-29T10:00:00', 'yesterday', '2026-13-45T10:00:00Z', '']) {
      expect(() => log.record(rec({ time })), time).toThrow(expect.objectContaining({ code: 'PF_INPUT_INVALID' }));
    }
    const err = await log.query({ from: 'cust-1 last week' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'PF_INPUT_INVALID' });
    expect(String(err.message)).not.toContain('cust-1');
  });
});
