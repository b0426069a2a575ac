import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type AccessRecord, checkpointSigner, createAccessLog, verifyAccessLog } from '../../src/index.js';
import { jsonlAccessLogSink, jsonlCheckpointSink, readJsonlAccessLog } from '../../src/node/index.js';
import { describeStoreTampering, tamperRecord } from '../audit/tampering.js';

const dir = mkdtempSync(join(tmpdir(), 'purposeful-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `log-${++n}.jsonl`);
const subjectKey = new Uint8Array(32).fill(5);
/** The same access records the tampering suite writes on every sink. */
const rec = (i: number): AccessRecord => tamperRecord(i);

async function written(count: number) {
  const path = file();
  const log = createAccessLog({ sink: jsonlAccessLogSink(path), subjectKey, instance: 'file' });
  for (let i = 0; i < count; i++) log.record(rec(i));
  await log.flush();
  return { path, log };
}

describe('the JSONL access log', () => {
  it('appends one event per line and verifies', async () => {
    const { path, log } = await written(5);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('');
    expect(JSON.parse(lines[0] as string).seq).toBe(1);
    expect(await log.verify()).toMatchObject({ ok: true, events: 5 });
    expect(readFileSync(path, 'utf8')).not.toContain('cust-');
    expect((await log.forSubject('cust-3')).map((e) => e.seq)).toEqual([4]);
  });

  it('a file cut at every byte offset of its last line verifies up to the last whole event, and reports the torn line', async () => {
    const { path } = await written(4);
    const whole = readFileSync(path);
    const lastStart = whole.lastIndexOf(0x0a, whole.length - 2) + 1;
    for (let cut = lastStart; cut < whole.length; cut++) {
      const copy = join(dir, 'cut.jsonl');
      writeFileSync(copy, whole.subarray(0, cut));
      const { events, torn } = await readJsonlAccessLog(copy);
      expect(events).toHaveLength(3);
      if (cut === lastStart) expect(torn).toBeUndefined();
      else expect(torn).toEqual({ offset: lastStart, bytes: cut - lastStart });
      const report = await verifyAccessLog(events);
      expect(report).toMatchObject({ ok: true, events: 3 });
    }
  });

  it('after a crash, sets the torn fragment aside before appending again, so nothing fuses with it', async () => {
    const { path } = await written(3);
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    const torn: unknown[] = [];
    const sink = jsonlAccessLogSink(path, { onTorn: (t) => torn.push(t) });
    const log = createAccessLog({ sink, subjectKey, instance: 'restarted' });
    expect((await log.verify()).torn).toBeDefined();
    log.record(rec(9));
    await log.flush();
    expect(torn).toHaveLength(1);
    expect(readFileSync(`${path}.torn`, 'utf8').length).toBeGreaterThan(0);
    const report = await log.verify();
    expect(report).toMatchObject({ ok: true, events: 3 });
    expect(report.torn).toBeUndefined();
    expect(report.chains.map((c) => c.events)).toEqual([2, 1]);
  });

  it('catches edits, deletions, insertions and reordering of lines, and a line that is not JSON', async () => {
    const cases: Record<string, (lines: string[]) => void> = {
      edited: (l) => {
        l[1] = (l[1] as string).replace('support.ticket', 'marketing.email');
      },
      deleted: (l) => {
        l.splice(1, 1);
      },
      inserted: (l) => {
        l.splice(2, 0, l[0] as string);
      },
      reordered: (l) => {
        [l[1], l[2]] = [l[2] as string, l[1] as string];
      },
      garbled: (l) => {
        l[2] = '{"v":1,"chain"';
      },
    };
    for (const [name, change] of Object.entries(cases)) {
      const { path, log } = await written(5);
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      change(lines);
      writeFileSync(path, `${lines.join('\n')}\n`);
      const report = await log.verify();
      expect(report.ok, name).toBe(false);
    }
  });

  it('takes back a batch whose write failed, so the retry writes it once', async () => {
    const path = file();
    const probe = await open(path, 'a');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const log = createAccessLog({ sink: jsonlAccessLogSink(path), subjectKey });
    log.record(rec(1));
    await log.flush();
    // the next batch's write reaches the file, then its datasync fails
    const spy = vi.spyOn(proto, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO'), { code: 'EIO' }));
    try {
      log.record(rec(2));
      log.record(rec(3));
      await expect(log.flush()).rejects.toThrow(expect.objectContaining({ code: 'PF_AUDIT_UNAVAILABLE' }));
      await log.flush();
      const { events } = await readJsonlAccessLog(path);
      expect(events.map((e) => (e as { seq: number }).seq)).toEqual([1, 2, 3]);
      expect((await log.verify()).ok).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps checkpoints in a file of their own', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const keys = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'EdDSA' }] };
    const path = file();
    const cpPath = file();
    const log = createAccessLog({
      sink: jsonlAccessLogSink(path),
      subjectKey,
      checkpoints: {
        sink: jsonlCheckpointSink(cpPath),
        sign: checkpointSigner({ key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'k' }),
        every: 2,
      },
    });
    for (let i = 0; i < 5; i++) log.record(rec(i));
    await log.close();
    expect(await log.verify({ keys })).toMatchObject({ ok: true, unanchored: 0 });
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    writeFileSync(path, `${lines.slice(0, 4).join('\n')}\n`);
    expect((await log.verify({ keys })).broken?.reason).toBe('truncated');
  });
});

describeStoreTampering('a JSONL file', async () => {
  const path = file();
  return {
    sink: jsonlAccessLogSink(path),
    checkpoints: jsonlCheckpointSink(file()),
    async remove(chain, fromSeq) {
      // lines cut out of the file, as anyone who can write it could
      const kept = readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => {
          if (l === '') return false;
          const e = JSON.parse(l) as { chain: string; seq: number };
          return e.chain !== chain || e.seq < fromSeq;
        });
      writeFileSync(path, kept.map((l) => `${l}\n`).join(''));
    },
  };
});

it('the JSONL file sink queries by a time bound in any zone, as the other sinks do', async () => {
  const { log } = await written(3);
  expect((await log.query({ from: '2026-11-29T07:00:01-03:00' })).map((e) => e.seq)).toEqual([2, 3]);
  await expect(log.query({ to: 'soon' })).rejects.toThrow(expect.objectContaining({ code: 'PF_INPUT_INVALID' }));
});
