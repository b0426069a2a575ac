import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { purposes } from '../../examples/support-desk/declarations.js';
import {
  type AnonymizeSpec,
  type AnonymousRecord,
  anonymizeName,
  anonymizeValue,
  createPurposeful,
  dataMap,
  defineSchema,
  detectPII,
  diffDataMaps,
  generateKeyring,
  isAnonymizeSpec,
  isPurposefulError,
  MAX_KEEP_FIRST,
  memoryConsentLedger,
  memoryKeyStore,
  pd,
  type RetentionSource,
  type RightsSource,
} from '../../src/index.js';
import { isWellFormed } from '../../src/util/bytes.js';
import { surveyGrant } from '../postgres/db.js';

describe('anonymizeValue', () => {
  it('keepFirst keeps a prefix of at most n code points, never half a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 1, max: MAX_KEEP_FIRST }), (s, n) => {
        const out = anonymizeValue({ keepFirst: n }, s) as string | undefined;
        if (Array.from(s).length <= n) {
          expect(out).toBeUndefined(); // it would be kept whole: dropped
          return;
        }
        expect(s.startsWith(out as string)).toBe(true);
        expect(Array.from(out as string).length).toBe(n);
        expect(isWellFormed(out as string)).toBe(true);
      }),
    );
    expect(anonymizeValue({ keepFirst: 5 }, '01310-100')).toBe('01310');
    expect(anonymizeValue({ keepFirst: 4 }, '1987-05-12')).toBe('1987');
    expect(anonymizeValue({ keepFirst: 1 }, '😀x')).toBe('😀');
    expect(anonymizeValue({ keepFirst: 5 }, 'Ana')).toBeUndefined();
    expect(anonymizeValue({ keepFirst: 5 }, '01310')).toBeUndefined();
  });

  it('round floors to a multiple of n, within n of the value, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: -(2 ** 52), max: 2 ** 52 })),
        fc.constantFrom(1, 5, 7, 10, 100, 0.5, 0.1, 0.25, 1000, 0.000001),
        (v, n) => {
          const out = anonymizeValue({ round: n }, v) as number | undefined;
          if (out === undefined) {
            expect(Math.abs(v)).toBeGreaterThan(Number.MAX_SAFE_INTEGER / 1e6); // too large to be a multiple exactly
            return;
          }
          expect(out).toBeLessThanOrEqual(v); // never up, not even by a rounding error
          expect(v - out).toBeLessThan(n + 1e-6);
          expect(Object.is(out, -0)).toBe(false);
          expect(anonymizeValue({ round: n }, out)).toBe(out);
        },
      ),
    );
    expect(anonymizeValue({ round: 10 }, 37)).toBe(30);
    expect(anonymizeValue({ round: 0.1 }, 0.35)).toBe(0.3);
    expect(anonymizeValue({ round: 0.1 }, 0.3)).toBe(0.3); // 0.3 / 0.1 is 2.9999999999999996 in binary
    expect(anonymizeValue({ round: 10 }, -3)).toBe(-10);
    // never up, always a multiple, at any magnitude
    expect(anonymizeValue({ round: 1 }, 1234567890125999)).toBe(1234567890125999);
    expect(anonymizeValue({ round: 7 }, 1e15 + 3)).toBe(Math.floor((1e15 + 3) / 7) * 7);
    expect(anonymizeValue({ round: 0.1 }, 999999999999.9)).toBe(999999999999.9);
    expect(anonymizeValue({ round: 10 }, -0)).toBe(0);
    // a multiple whose scaled double is not an integer (-2098.523125 × 10^6 is -2098523125.0000002) stays itself
    expect(anonymizeValue({ round: 0.000001 }, -2098.5231240000003)).toBe(-2098.523125);
    expect(anonymizeValue({ round: 0.000001 }, -2098.523125)).toBe(-2098.523125);
  });

  it('redact leaves no identifier the detectors find, at any confidence', () => {
    const text = 'Sou Ana, CPF 123.456.789-09, ana@example.com, cartão 4111 1111 1111 1111, tel (11) 98765-4321';
    const out = anonymizeValue('redact', text) as string;
    expect(out).not.toMatch(/123\.456|ana@|4111|98765/);
    expect(detectPII(out, { threshold: 'low' })).toEqual([]);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = anonymizeValue('redact', s) as string;
        expect(detectPII(r, { threshold: 'low' })).toEqual([]);
        expect(anonymizeValue('redact', r)).toBe(r);
      }),
    );
  });

  it('a value of another type is dropped, never kept as it was', () => {
    for (const v of [37, true, null, { a: 1 }, ['x'], undefined]) expect(anonymizeValue({ keepFirst: 2 }, v)).toBeUndefined();
    for (const v of ['37', Number.NaN, Number.POSITIVE_INFINITY, 10n, null])
      expect(anonymizeValue({ round: 10 }, v)).toBeUndefined();
    expect(anonymizeValue('redact', 42)).toBeUndefined();
  });

  it('isAnonymizeSpec refuses anything else without throwing', () => {
    expect(isAnonymizeSpec('redact')).toBe(true);
    expect(isAnonymizeSpec({ keepFirst: MAX_KEEP_FIRST })).toBe(true);
    expect(isAnonymizeSpec({ round: 0.5 })).toBe(true);
    for (const bad of [
      'keep',
      { keepFirst: 0 },
      { keepFirst: MAX_KEEP_FIRST + 1 },
      { keepFirst: 1.5 },
      { round: 0 },
      { round: -1 },
      { round: Number.POSITIVE_INFINITY },
      { round: 1e-9 },
      { round: 0.1234567 },
      { keepFirst: 4n },
      { round: 10, keepFirst: 2 },
      [],
      null,
      Object.create(null),
    ]) {
      expect(isAnonymizeSpec(bad)).toBe(false);
    }
    fc.assert(fc.property(fc.anything(), (x) => typeof isAnonymizeSpec(x) === 'boolean'));
    expect([anonymizeName('redact'), anonymizeName({ keepFirst: 4 }), anonymizeName({ round: 10 })]).toEqual([
      'redact',
      'keepFirst:4',
      'round:10',
    ]);
  });
});

// a customer who asks to be forgotten, with tickets the controller keeps statistics of
const Member = defineSchema(
  'member',
  z.object({
    id: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket', 'billing.invoice'] }),
    plan: pd.none(z.enum(['free', 'pro'])),
    email: pd(z.email(), {
      category: 'user.contact.email',
      purposes: ['support.ticket'],
      encrypt: true,
      index: 'email',
    }),
    birthDate: pd(z.iso.date(), {
      category: 'user.demographic.date_of_birth',
      purposes: ['support.ticket'],
      encrypt: true,
      anonymize: { keepFirst: 4 },
    }),
    postalCode: pd(z.string().optional(), {
      category: 'user.contact.address.postal_code',
      purposes: ['support.ticket'],
      anonymize: { keepFirst: 5 },
    }),
    age: pd(z.number().int().optional(), {
      category: 'user.demographic.age_range',
      purposes: ['support.ticket'],
      anonymize: { round: 10 },
    }),
    taxId: pd(z.string(), { category: 'user.government_id', purposes: ['billing.invoice'], encrypt: true }),
    survey: pd(z.string().optional(), {
      category: 'user.content.private',
      purposes: ['support.survey'],
      freeText: true,
      anonymize: 'redact',
    }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

const Case = defineSchema(
  'case',
  z.object({
    ref: pd.none(z.string()),
    memberId: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
    channel: pd.none(z.enum(['chat', 'email'])),
    opened: pd.none(z.string()),
    body: pd(z.string(), {
      category: 'user.content.private',
      purposes: ['support.ticket'],
      freeText: true,
      anonymize: 'redact',
    }),
  }),
  { purposes, subject: { kind: 'customer', id: 'memberId', minors: 'never' }, recordId: 'ref' },
);

const id = '5f0c8a57-3c1e-4d7f-9b61-0d9f4a2b7c11';
const verification = { code: 'ok' };
const member = {
  id,
  plan: 'pro',
  email: 'ana@example.com',
  birthDate: '1987-05-12',
  postalCode: '01310-100',
  age: 39,
  taxId: '123.456.789-09',
  survey: 'Great help, reach me at ana@example.com',
};

/** A table in memory with the transaction an anonymizing store must have. */
function table(key: string, options: { anonymize?: boolean; remove?: boolean; failOn?: 'write' } = {}) {
  const rows = new Map<string, Record<string, unknown>>();
  const anonymous: AnonymousRecord[] = [];
  const change = (row: Record<string, unknown>, how: 'remove' | 'update') => {
    if (how === 'remove') rows.delete(String(row[key]));
    else rows.set(String(row[key]), structuredClone(row));
  };
  const source: RightsSource = {
    find: async (subject) => [...rows.values()].filter((r) => r.id === subject || r.memberId === subject).map((r) => ({ ...r })),
    update: async (_s, row) => change(row, 'update'),
    ...(options.remove === false ? {} : { remove: async (_s: string, row: Record<string, unknown>) => change(row, 'remove') }),
    ...(options.anonymize === false
      ? {}
      : {
          anonymize: async (_s: string, copy: AnonymousRecord, row: Record<string, unknown>, how: 'remove' | 'update') => {
            if (options.failOn === 'write') throw new Error('disk full');
            anonymous.push(structuredClone(copy));
            change(row, how);
          },
        }),
  };
  return { rows, anonymous, source };
}

const deskWith = (options: { anonymize?: boolean; remove?: boolean }) => desk(options);

async function desk(options: { anonymize?: boolean; remove?: boolean } = {}) {
  const members = table('id', options);
  const cases = table('ref', options);
  const consent = memoryConsentLedger(purposes);
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const pf = createPurposeful({
    encryption: { receipts: { key: await exportJWK(privateKey), alg: 'EdDSA' } },
    purposes,
    schemas: [Member, Case],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    consent,
    rights: {
      verify: ({ verification: v }) => (v as { code?: string })?.code === 'ok',
      sources: { member: members.source, case: cases.source },
    },
  });
  const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
  members.rows.set(id, await pf.seal(Member, member, ctx));
  for (const [ref, body] of [
    ['C-1', 'Meu CPF 123.456.789-09 foi cobrado duas vezes'],
    ['C-2', 'Ligue para (11) 98765-4321, por favor'],
  ] as const) {
    const row = await pf.seal(Case, { ref, memberId: id, channel: 'chat', opened: '2026-03-01', body }, ctx);
    // a column of the store the schema does not declare never reaches a copy
    cases.rows.set(ref, { ...row, internalNote: 'Ana, VIP, ana@example.com' });
  }
  return { pf, members, cases, consent, ctx };
}

describe('erasure with anonymization', () => {
  it('keeps only generalized forms, in copies with no subject id, record id, blind index or other personal field', async () => {
    const { pf, members, cases } = await desk();
    const r = await pf.rights.request({ subjectId: id, kind: 'erasure', verification });
    const answer = await pf.rights.erase(r.id);
    const outcome = Object.fromEntries(
      answer.fields.map((f) => [`${f.schema}${f.record === id ? '' : `:${f.record}`}.${f.field}`, f.outcome]),
    );
    expect(outcome).toEqual({
      'member.id': 'retained',
      'member.taxId': 'retained',
      'member.email': 'deleted',
      'member.birthDate': 'anonymized',
      'member.postalCode': 'anonymized',
      'member.age': 'anonymized',
      'member.survey': 'anonymized',
      'case:C-1.memberId': 'deleted',
      'case:C-1.body': 'anonymized',
      'case:C-2.memberId': 'deleted',
      'case:C-2.body': 'anonymized',
    });
    expect(answer.fields.find((f) => f.field === 'birthDate')?.reason).toMatch(/keepFirst:4.*anonymous copy.*Art\. 12, 16 IV/);
    expect(members.anonymous).toEqual([
      {
        schema: 'member',
        fields: ['birthDate', 'postalCode', 'age', 'survey'],
        // the member row stays (billing keeps its tax id): a copy of it holds no context that could lead back to it
        data: { birthDate: '1987', postalCode: '01310', age: 30, survey: 'Great help, reach me at [EMAIL]' },
      },
    ]);
    expect(cases.anonymous.map((c) => c.data)).toEqual([
      { channel: 'chat', opened: '2026-03-01', body: 'Meu CPF [CPF] foi cobrado duas vezes' },
      { channel: 'chat', opened: '2026-03-01', body: 'Ligue para [PHONE], por favor' },
    ]);
    // nothing of the person reaches a copy
    const copies = JSON.stringify([...members.anonymous, ...cases.anonymous]);
    for (const v of [id, 'ana@example.com', '123.456.789-09', '1987-05-12', '01310-100', '98765', 'C-1', 'bidx_', 'VIP']) {
      expect(copies).not.toContain(v);
    }
    // the cases kept nothing personal: removed; the member keeps what billing must, and nothing else
    expect([...cases.rows.keys()]).toEqual([]);
    const row = members.rows.get(id) as Record<string, unknown>;
    expect(row.postalCode).toBeUndefined();
    expect(row.bidx_email).toBeNull();
    const billing = { purpose: 'billing.invoice', actor: { id: 'b', roles: ['billing'] } } as const;
    await expect(pf.open(Member, row, billing)).resolves.toMatchObject({ taxId: '123.456.789-09' });
    // a second erasure finds the encrypted values shredded: nothing more to keep, and no error
    const again = await pf.rights.erase((await pf.rights.request({ subjectId: id, kind: 'erasure', verification })).id);
    expect(again.fields.filter((f) => f.outcome === 'anonymized')).toEqual([]);
    expect(members.anonymous).toHaveLength(1);
  });

  it('refuses, before anything is shredded, a store that cannot keep the anonymous copies', async () => {
    const { pf, members, ctx } = await desk({ anonymize: false });
    const r = await pf.rights.request({ subjectId: id, kind: 'erasure', verification });
    const err = await pf.rights.erase(r.id).catch((e) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_OPTIONS_INVALID');
    expect(err.message).toMatch(/needs anonymize\(\)/);
    expect(err.message).not.toContain('ana@');
    await expect(pf.open(Member, members.rows.get(id), ctx)).resolves.toMatchObject({ email: 'ana@example.com' });
  });

  it('without remove(), a row with nothing retained is updated: no value in clear stays', async () => {
    const { pf, cases } = await desk({ remove: false });
    await pf.rights.erase((await pf.rights.request({ subjectId: id, kind: 'erasure', verification })).id);
    const c1 = cases.rows.get('C-1') as Record<string, unknown>;
    expect(c1.memberId).toBeUndefined();
    expect(c1.channel).toBe('chat');
    expect(cases.anonymous).toHaveLength(2);
  });

  it('revoking consent keeps the anonymized form of what only that consent justified', async () => {
    const { pf, members, consent } = await desk();
    await consent.grant(surveyGrant(id));
    const r = await pf.rights.request({ subjectId: id, kind: 'revocation', verification });
    const answer = await pf.rights.revoke(r.id, 'support.survey');
    expect(answer.fields.map((f) => [f.field, f.outcome])).toEqual([['survey', 'anonymized']]);
    expect(members.anonymous).toEqual([
      { schema: 'member', fields: ['survey'], data: { survey: 'Great help, reach me at [EMAIL]' } },
    ]);
    expect((members.rows.get(id) as Record<string, unknown>).survey).toBeUndefined();
  });
});

describe('retention sweeps with anonymization', () => {
  const keys = generateKeyring();
  const keyStore = memoryKeyStore();
  const pf = createPurposeful({ purposes, schemas: [Member, Case], keys, keyStore });
  const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;

  function sweepSource(rows: Map<string, Record<string, unknown>>, anonymous: AnonymousRecord[], crashOn?: string) {
    const source: RetentionSource = {
      schema: Case,
      page: async (cursor, limit) => {
        const ids = [...rows.keys()]
          .sort()
          .filter((k) => cursor === undefined || k > cursor)
          .slice(0, limit);
        return {
          rows: ids.map((k) => ({ ...(rows.get(k) as Record<string, unknown>) })),
          ...(ids.length ? { next: ids.at(-1) } : {}),
        };
      },
      startOf: (row, event) => (event === 'collection' ? new Date(String(row.opened)) : undefined),
      update: async (row) => void rows.set(String(row.ref), row),
      remove: async (row) => void rows.delete(String(row.ref)),
      // one transaction: the copy and the change land together or not at all
      anonymize: async (copy, row, change) => {
        if (row.ref === crashOn) throw new Error('crash');
        anonymous.push(copy);
        if (change === 'remove') rows.delete(String(row.ref));
        else rows.set(String(row.ref), row);
      },
    };
    return source;
  }

  it('anonymizes expired records, says so in a dry run, and resumes after a crash without a copy twice', async () => {
    const rows = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < 30; i++) {
      const ref = `C-${String(i).padStart(2, '0')}`;
      const opened = i < 20 ? '2024-01-01' : '2026-06-01';
      rows.set(
        ref,
        await pf.seal(Case, { ref, memberId: id, channel: 'email', opened, body: `caso ${i}: ana@example.com` }, ctx),
      );
    }
    const anonymous: AnonymousRecord[] = [];
    const now = new Date('2026-11-29T00:00:00Z');
    const dry = await pf.retention.sweep(sweepSource(rows, anonymous), { now, dryRun: true });
    expect(dry.actions?.[0]).toEqual({ record: 'C-00', action: 'remove', fields: ['memberId', 'body'], anonymized: ['body'] });
    expect(anonymous).toEqual([]);
    const crashed = await pf.retention
      .sweep(sweepSource(rows, anonymous, 'C-07'), { now, pageSize: 5, onProgress: () => undefined })
      .catch((e) => e);
    expect(crashed).toBeInstanceOf(Error);
    const resumed = await pf.retention.sweep(sweepSource(rows, anonymous), { now, pageSize: 5 });
    expect(resumed).toMatchObject({ removed: 13, anonymized: 13 });
    expect(anonymous).toHaveLength(20);
    expect(new Set(anonymous.map((a) => a.data.body)).size).toBe(20);
    expect(anonymous.every((a) => a.data.body === `caso ${/\d+/.exec(String(a.data.body))?.[0]}: [EMAIL]`)).toBe(true);
    expect(JSON.stringify(anonymous)).not.toMatch(/ana@|C-\d|5f0c8a57/);
    expect(rows.size).toBe(10);
  });

  it('a schema declaring anonymize needs a source that can keep the copies', async () => {
    const source = sweepSource(new Map(), []);
    const { anonymize: _omit, ...without } = source;
    await expect(pf.retention.sweep(without as RetentionSource)).rejects.toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID', message: expect.stringMatching(/needs anonymize\(\)/) }),
    );
  });
});

describe('anonymize in the declarations', () => {
  it('accepts the specs that fit, shows them in the data map, and a diff reads adding one as widening', () => {
    expect(Member.field('birthDate')?.anonymize).toEqual({ keepFirst: 4 });
    const map = dataMap({ purposes, schemas: [Member] });
    const fields = Object.fromEntries((map.schemas[0]?.fields ?? []).map((f) => [f.path, f.anonymize]));
    expect(fields).toMatchObject({ birthDate: 'keepFirst:4', age: 'round:10', survey: 'redact', email: undefined });
    const version = (age: AnonymizeSpec, zip: AnonymizeSpec, bio?: AnonymizeSpec) =>
      defineSchema(
        'member',
        z.object({
          id: pd(z.uuid(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
          age: pd(z.number().optional(), {
            category: 'user.demographic.age_range',
            purposes: ['support.ticket'],
            anonymize: age,
          }),
          zip: pd(z.string(), { category: 'user.contact.address.postal_code', purposes: ['support.ticket'], anonymize: zip }),
          bio: pd(z.string(), {
            category: 'user.content.private',
            purposes: ['support.ticket'],
            freeText: true,
            ...(bio ? { anonymize: bio } : {}),
          }),
        }),
        { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' } },
      );
    const Before = version({ round: 5 }, { keepFirst: 5 });
    const After = version({ round: 10 }, { keepFirst: 8 }, 'redact');
    const changes = diffDataMaps(dataMap({ purposes, schemas: [Before] }), dataMap({ purposes, schemas: [After] }));
    expect(changes.map((c) => [c.kind, c.direction])).toEqual(
      expect.arrayContaining([
        ['field.anonymize_strengthened', 'narrowing'],
        ['field.anonymize_weakened', 'widening'],
        ['field.anonymize_added', 'widening'],
      ]),
    );
    const back = diffDataMaps(dataMap({ purposes, schemas: [After] }), dataMap({ purposes, schemas: [Before] }));
    expect(back.find((c) => c.path === 'bio')).toMatchObject({ kind: 'field.anonymize_removed', direction: 'narrowing' });
  });
});

describe('anonymous copies (property)', () => {
  const Lead = defineSchema(
    'lead',
    z.object({
      ref: z.string(),
      who: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
      email: pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] }),
      zip: pd(z.string(), {
        category: 'user.contact.address.postal_code',
        purposes: ['support.ticket'],
        anonymize: { keepFirst: 3 },
      }),
      tags: z.record(z.string(), pd(z.string(), { category: 'user.behavior', purposes: ['support.ticket'] })),
      source: pd.none(z.string()),
    }),
    { purposes, subject: { kind: 'customer', id: 'who', minors: 'never' }, recordId: 'ref' },
  );
  const pf = createPurposeful({ purposes, schemas: [Lead] });
  const token = fc.stringMatching(/^[a-z]{12}$/);

  it('hold only declared non-personal values and generalized fields, whatever the record holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          ref: token,
          who: token,
          email: token,
          zip: token,
          tags: fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor'), token),
          source: token,
          extra: token,
        }),
        async (lead) => {
          const copies: AnonymousRecord[] = [];
          const source: RetentionSource = {
            schema: Lead,
            page: async (cursor) => ({ rows: cursor ? [] : [structuredClone(lead)], next: cursor ? undefined : 'end' }),
            startOf: () => new Date('2000-01-01T00:00:00Z'),
            update: async () => undefined,
            remove: async () => undefined,
            anonymize: async (copy) => void copies.push(copy),
          };
          await pf.retention.sweep(source, { now: new Date('2026-11-29T00:00:00Z') });
          expect(copies).toHaveLength(1);
          const copy = copies[0] as AnonymousRecord;
          expect(Object.getPrototypeOf(copy.data)).toBe(Object.prototype);
          expect(copy.data).toEqual({ zip: lead.zip.slice(0, 3), source: lead.source });
          const text = JSON.stringify(copy);
          for (const v of [lead.ref, lead.who, lead.email, lead.zip, lead.extra, ...Object.values(lead.tags)]) {
            expect(text).not.toContain(v);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('anonymization: the review’s hostile cases', () => {
  const body = () =>
    pd(z.string(), {
      category: 'user.content.private',
      purposes: ['support.ticket'],
      freeText: true,
      encrypt: false,
      anonymize: 'redact',
    });
  const Odd = defineSchema(
    'odd',
    z.object({
      ref: pd.none(z.string()),
      who: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'], anonymize: { keepFirst: 2 } }),
      meta: pd.none(z.unknown()),
      title: z.string(),
      u: z.union([
        pd.none(z.string()),
        z.object({ email: pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] }) }),
      ]),
      body: body(),
    }),
    { purposes, subject: { kind: 'customer', id: 'who', minors: 'never' }, recordId: 'ref' },
  );
  const pf = createPurposeful({ purposes, schemas: [Odd] });
  const sweepOne = async (row: Record<string, unknown>) => {
    const copies: AnonymousRecord[] = [];
    await pf.retention.sweep(
      {
        schema: Odd,
        page: async (cursor) => ({ rows: cursor ? [] : [row], next: cursor ? undefined : 'end' }),
        startOf: () => new Date('2000-01-01T00:00:00Z'),
        update: async () => undefined,
        remove: async () => undefined,
        anonymize: async (copy) => void copies.push(copy),
      },
      { now: new Date('2026-11-29T00:00:00Z') },
    );
    return copies;
  };

  it('a union of pd.none with personal fields, an opaque pd.none, unannotated text and the subject id stay out', async () => {
    const copies = await sweepOne({
      ref: 'R-1',
      who: 'customer-42',
      meta: { cpf: '123.456.789-09' },
      title: 'Refund for Ana Souza',
      u: { email: 'ana@example.com' },
      body: 'Estorno, por favor',
    });
    // the subject id's own anonymize is ignored: it is never in a copy, and never said to be
    expect(copies).toEqual([{ schema: 'odd', fields: ['body'], data: { body: 'Estorno, por favor' } }]);
  });

  it('a malformed spec is a declaration problem, never a TypeError', () => {
    const bad = () =>
      defineSchema(
        'bad',
        z.object({
          n: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'], anonymize: { keepFirst: 4n } as never }),
        }),
        { purposes },
      );
    expect(bad).toThrow(expect.objectContaining({ code: 'PF_DECLARATION_INVALID' }));
    const err = (() => {
      try {
        bad();
      } catch (e) {
        return e as { problems?: { code: string; message: string }[] };
      }
    })();
    expect(err?.problems?.map((p) => [p.code, p.message])).toEqual([
      ['PF_DECL_ANONYMIZE_INVALID', expect.stringMatching(/^n: anonymize must be .*, not object$/)],
    ]);
  });

  it('a revocation that cannot store its change fails before consent is withdrawn', async () => {
    const { pf: desk, consent } = await deskWith({ anonymize: false });
    await consent.grant(surveyGrant(id));
    const r = await desk.rights.request({ subjectId: id, kind: 'revocation', verification });
    await expect(desk.rights.revoke(r.id, 'support.survey')).rejects.toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
    expect((await consent.status(id, ['support.survey'])).get('support.survey')?.status).toBe('granted');
  });

  it('an erasure whose store fails shreds nothing; the retry keeps each copy once and then shreds', async () => {
    const { pf: desk, members, cases, ctx } = await deskWith({});
    let fail = true;
    const keep = cases.source.anonymize as NonNullable<RightsSource['anonymize']>;
    cases.source.anonymize = async (...args) => {
      if (fail) throw new Error('connection lost');
      return keep(...args);
    };
    const r = await desk.rights.request({ subjectId: id, kind: 'erasure', verification });
    await expect(desk.rights.erase(r.id)).rejects.toThrow('connection lost');
    await expect(desk.open(Member, members.rows.get(id), ctx)).resolves.toMatchObject({ email: 'ana@example.com' });
    fail = false;
    const answer = await desk.rights.erase(r.id);
    expect(answer.receipt).toBeDefined();
    expect(members.anonymous).toHaveLength(1); // kept by the first attempt, not again
    expect(cases.anonymous).toHaveLength(2);
    await expect(desk.open(Member, members.rows.get(id), ctx)).rejects.toThrow(
      expect.objectContaining({ code: 'PF_SUBJECT_ERASED' }),
    );
  });

  it('a diff reads another kind of anonymization as a widening', () => {
    const map = (spec: 'redact' | { keepFirst: number }) =>
      dataMap({
        purposes,
        schemas: [
          defineSchema(
            'x',
            z.object({
              t: pd(z.string(), {
                category: 'user.content.private',
                purposes: ['support.ticket'],
                freeText: true,
                ...(spec === 'redact' ? { anonymize: spec } : {}),
              }),
              s: pd(z.string(), {
                category: 'user.content.private',
                purposes: ['support.ticket'],
                anonymize: spec === 'redact' ? { keepFirst: 2 } : spec,
              }),
            }),
            { purposes },
          ),
        ],
      });
    const changes = diffDataMaps(map('redact'), map({ keepFirst: 32 }));
    expect(changes.find((c) => c.path === 's')).toMatchObject({ kind: 'field.anonymize_weakened', direction: 'widening' });
  });
});

describe('erasure without a source for every schema', () => {
  it('shreds the subject’s keys even when no registered source holds encrypted data', async () => {
    const Note = defineSchema(
      'note',
      z.object({
        ref: pd.none(z.string()),
        who: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
      }),
      { purposes, subject: { kind: 'customer', id: 'who', minors: 'never' }, recordId: 'ref' },
    );
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const pf = createPurposeful({
      encryption: { receipts: { key: await exportJWK(privateKey), alg: 'EdDSA' } },
      purposes,
      schemas: [Member, Note],
      keys: generateKeyring(),
      keyStore: memoryKeyStore(),
      rights: { verify: () => true, sources: { note: { find: async () => [], update: async () => undefined } } },
    });
    const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
    // a member row kept in a store the rights desk was not told about (or in a backup)
    const elsewhere = await pf.seal(Member, member, ctx);
    const answer = await pf.rights.erase((await pf.rights.request({ subjectId: id, kind: 'erasure', verification: {} })).id);
    expect(answer.receipt).toBeDefined();
    await expect(pf.open(Member, elsewhere, ctx)).rejects.toThrow(expect.objectContaining({ code: 'PF_SUBJECT_ERASED' }));
  });
});
