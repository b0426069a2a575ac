import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonMediaType, decodeUtf8, parseJson, readBody } from '../../src/http/body.js';
import { checkParsed } from '../../src/http/parsed.js';
import { isPurposefulError } from '../../src/index.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    return `${err.code}:${err.reason ?? ''}`;
  }
  return undefined;
};

/** JSON values without prototype keys (fast-check's objects have unique keys by construction). */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const clean = (v: unknown): boolean =>
  typeof v !== 'object' || v === null || Object.entries(v).every(([k, c]) => !FORBIDDEN.has(k) && clean(c));

describe('parseJson', () => {
  it('agrees with JSON.parse on every JSON value without prototype keys (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }).filter(clean), fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(parseJson(text, 64)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a PurposefulError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.json().map((j) => j.slice(0, -1)),
        ),
        (text) => {
          // a marker inside the text: no message may quote it
          const marked = `{"k":"Q7X9Z",${text}`;
          try {
            parseJson(marked, 16);
          } catch (err) {
            expect(isPurposefulError(err)).toBe(true);
            expect((err as Error).message).not.toContain('Q7X9Z');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('finds a duplicate key at any depth (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !FORBIDDEN.has(k)),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 30 }),
        (key, depth, others) => {
          const fields = Array.from({ length: others }, (_, i) => `"k${i}":${i}`);
          const inner = `{${[`${JSON.stringify(key)}:1`, ...fields, `${JSON.stringify(key)}:2`].join(',')}}`;
          const text = '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
          expect(codeOf(() => parseJson(text, 64))).toBe('PF_BODY_INVALID:duplicate_key');
        },
      ),
    );
  });

  it('does not mistake equal keys in sibling or nested objects for duplicates', () => {
    expect(parseJson('{"a":{"a":1},"b":{"a":2},"c":[{"a":1},{"a":2}]}', 8)).toEqual({
      a: { a: 1 },
      b: { a: 2 },
      c: [{ a: 1 }, { a: 2 }],
    });
    expect(parseJson('{"a":"\\"a\\":1,","b":"{\\"a\\":2}"}', 8)).toEqual({ a: '"a":1,', b: '{"a":2}' });
  });

  it('finds the end of strings with escaped quotes and backslashes', () => {
    expect(codeOf(() => parseJson('{"a\\\\":1,"a\\\\":2}', 8))).toBe('PF_BODY_INVALID:duplicate_key');
    expect(parseJson('{"a\\"b":"x\\\\","c":"\\\\\\""}', 8)).toEqual({ 'a"b': 'x\\', c: '\\"' });
    expect(codeOf(() => parseJson('{"k":"v\\","k":1}', 8))).toBe('PF_BODY_INVALID:json');
  });

  it('compares keys after unescaping', () => {
    expect(codeOf(() => parseJson('{"ab":1,"a\\u0062":2}', 8))).toBe('PF_BODY_INVALID:duplicate_key');
    expect(codeOf(() => parseJson('{"\\u005f\\u005fproto__":{}}', 8))).toBe('PF_BODY_INVALID:forbidden_key');
  });

  it('refuses prototype keys anywhere, but allows them as values', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      expect(codeOf(() => parseJson(`{"x":[{"${key}":1}]}`, 8))).toBe('PF_BODY_INVALID:forbidden_key');
    }
    expect(parseJson('{"role":"__proto__","list":["constructor"]}', 8)).toEqual({ role: '__proto__', list: ['constructor'] });
  });

  it('refuses nesting deeper than the limit before building anything, in linear time', () => {
    expect(codeOf(() => parseJson(`${'['.repeat(65)}${']'.repeat(65)}`, 64))).toBe('PF_LIMIT_EXCEEDED:depth');
    expect(parseJson(`${'['.repeat(64)}${']'.repeat(64)}`, 64)).toBeDefined();
    // a million unclosed brackets: refused at the 65th, no stack overflow
    expect(codeOf(() => parseJson('['.repeat(1_000_000), 64))).toBe('PF_LIMIT_EXCEEDED:depth');
  });

  it('reports a syntax error without quoting the input', () => {
    try {
      parseJson('{"cpf": 529.982.247-25}', 8);
      expect.unreachable();
    } catch (err) {
      expect(isPurposefulError(err) && err.code).toBe('PF_BODY_INVALID');
      expect((err as Error).message).not.toContain('529');
    }
  });

  it('handles a large object with many keys (switches to a set)', () => {
    const obj = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect(parseJson(JSON.stringify(obj), 8)).toEqual(obj);
    expect(codeOf(() => parseJson(`${JSON.stringify(obj).slice(0, -1)},"k4999":0}`, 8))).toBe('PF_BODY_INVALID:duplicate_key');
  });
});

describe('decodeUtf8', () => {
  it('refuses invalid sequences instead of replacing them', () => {
    for (const bytes of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      expect(codeOf(() => decodeUtf8(new Uint8Array(bytes)))).toBe('PF_BODY_INVALID:utf8');
    }
  });

  it('round-trips every well-formed string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(decodeUtf8(new TextEncoder().encode(s))).toBe(s);
      }),
    );
  });
});

describe('checkJsonMediaType', () => {
  it('accepts JSON in UTF-8 and +json types', () => {
    for (const t of [
      'application/json',
      'Application/JSON; charset=UTF-8',
      'application/problem+json',
      'application/json;charset="utf-8"',
    ]) {
      expect(codeOf(() => checkJsonMediaType(t))).toBeUndefined();
    }
  });

  it('refuses anything else', () => {
    for (const t of [
      undefined,
      '',
      'text/plain',
      'application/json; charset=latin1',
      'multipart/form-data',
      'text/json',
      'application/jsonx',
    ]) {
      expect(codeOf(() => checkJsonMediaType(t))).toBe('PF_MEDIA_TYPE_UNSUPPORTED:');
    }
  });
});

describe('readBody', () => {
  const web = (chunks: Uint8Array[]) =>
    new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
  const bytes = (n: number) => new Uint8Array(n).fill(0x61);

  it('reads Web and Node streams up to the limit', async () => {
    expect((await readBody(web([bytes(3), bytes(4)]), 7)).byteLength).toBe(7);
    expect((await readBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 4)).byteLength).toBe(4);
    expect((await readBody(null, 4)).byteLength).toBe(0);
  });

  it('refuses a declared length over the limit before reading', async () => {
    let pulled = false;
    const stream = new ReadableStream(
      {
        pull() {
          pulled = true;
        },
      },
      { highWaterMark: 0 },
    );
    await expect(readBody(stream, 10, '11')).rejects.toMatchObject({ code: 'PF_LIMIT_EXCEEDED', reason: 'body_size' });
    expect(pulled).toBe(false);
    await expect(readBody(stream, 10, '1e9')).rejects.toMatchObject({ code: 'PF_BODY_INVALID', reason: 'content_length' });
  });

  it('stops a stream at the chunk that crosses the limit, drains at most the limit again, and cancels it', async () => {
    let cancelled = false;
    let served = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        served++;
        c.enqueue(bytes(1000));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(readBody(stream, 4500)).rejects.toMatchObject({ code: 'PF_LIMIT_EXCEEDED' });
    expect(cancelled).toBe(true);
    // the limit, then at most as much again drained so the client reads its 413 (never kept)
    expect(served).toBeLessThanOrEqual(12);
  });

  it('gives up draining a stalled stream after a second', async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 2) c.enqueue(bytes(1000));
        else return new Promise(() => {}); // the client stops sending, but does not close
      },
    });
    const t0 = Date.now();
    await expect(readBody(stream, 1500)).rejects.toMatchObject({ code: 'PF_LIMIT_EXCEEDED' });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('pauses a Node stream at the limit instead of destroying it (the 413 can still be sent)', async () => {
    const stream = new Readable({ read() {} });
    const pending = readBody(stream, 5);
    stream.push(Buffer.from('abcdef'));
    await expect(pending).rejects.toMatchObject({ code: 'PF_LIMIT_EXCEEDED' });
    expect(stream.destroyed).toBe(false);
    expect(stream.isPaused()).toBe(true);
  });

  it('turns a stream error into PF_BODY_INVALID without its message', async () => {
    const stream = new Readable({
      read() {
        this.destroy(new Error('socket said S3CR3T'));
      },
    });
    await expect(readBody(stream, 100)).rejects.toMatchObject({ code: 'PF_BODY_INVALID', reason: 'aborted' });
    const failing = new ReadableStream({
      pull() {
        throw new Error('S3CR3T');
      },
    });
    await expect(readBody(failing, 100)).rejects.toMatchObject({ code: 'PF_BODY_INVALID', reason: 'aborted' });
  });
});

describe('checkParsed (a body some other parser built)', () => {
  it('refuses depth and own prototype keys, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(codeOf(() => checkParsed(deep, 64))).toBe('PF_LIMIT_EXCEEDED:depth');
    expect(codeOf(() => checkParsed(JSON.parse('{"a":{"__proto__":{"x":1}}}'), 64))).toBe('PF_BODY_INVALID:forbidden_key');
    expect(codeOf(() => checkParsed({ a: [{ b: 1 }], c: null }, 64))).toBeUndefined();
  });

  it('terminates on a cyclic value', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => checkParsed(cyclic, 64))).toBe('PF_LIMIT_EXCEEDED:depth');
  });
});
