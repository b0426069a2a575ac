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
  type FreeTextAnonymization,
  generateKeyring,
  isAnonymizeSpec,
  isPurposefulError,
  MAX_BUCKETS,
  MAX_KEEP_FIRST,
  memoryConsentLedger,
  memoryKeyStore,
  parseDataMap,
  pd,
  type RecipientNotice,
  type RetentionSource,
  type RightsSource,
  rightsDesk,
} from '../../src/index.js';
import { isWellFormed } from '../../src/util/bytes.js';
import { surveyGrant } from '../postgres/db.js';

const RISK =
  'Only these words and the labels of identifiers stay; a rare complaint told in them could be recognized by the agent who handled it.';
/** Free text kept anonymized: every detector, then only these words (LGPD Art. 12). */
const vocabulary = (...words: string[]): FreeTextAnonymization => ({
  redact: 'all',
  namesAndAddresses: 'keep-only-vocabulary',
  vocabulary: words,
  residualRisk: RISK,
});

describe('anonymizeValue', () => {
  it('LGPD Art. 12: keepFirst keeps a prefix of at most n code points, never half a surrogate pair', () => {
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

  it('LGPD Art. 12: round floors to a multiple of n, within n of the value, and is idempotent', () => {
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

  it('LGPD Art. 12: a free-text vocabulary leaves no identifier the detectors find, at any confidence, and no digit', () => {
    const spec = vocabulary('sou', 'cartão', 'tel', 'cpf');
    const text = 'Sou Ana, CPF 123.456.789-09, ana@example.com, cartão 4111 1111 1111 1111, tel (11) 98765-4321';
    const out = anonymizeValue(spec, text) as string;
    expect(out).toBe('Sou […], CPF [CPF], [EMAIL], cartão [CARD], tel [PHONE]');
    expect(detectPII(out, { threshold: 'low' })).toEqual([]);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = anonymizeValue(spec, s) as string | undefined;
        if (r === undefined) return;
        expect(detectPII(r, { threshold: 'low' })).toEqual([]);
        expect(r.replace(/\[IPV[46]\]/g, '')).not.toMatch(/\d/); // no digit, but in a label's name
        expect(anonymizeValue(spec, r)).toBe(r);
      }),
    );
  });

  it('LGPD Art. 12: a value of another type is dropped, never kept as it was', () => {
    for (const v of [37, true, null, { a: 1 }, ['x'], undefined]) expect(anonymizeValue({ keepFirst: 2 }, v)).toBeUndefined();
    for (const v of ['37', Number.NaN, Number.POSITIVE_INFINITY, 10n, null])
      expect(anonymizeValue({ round: 10 }, v)).toBeUndefined();
    expect(anonymizeValue(vocabulary('a'), 42)).toBeUndefined();
    for (const v of ['37', Number.NaN, Number.POSITIVE_INFINITY, null])
      expect(anonymizeValue({ buckets: [10] }, v)).toBeUndefined();
  });

  it('LGPD Art. 12: isAnonymizeSpec refuses anything else without throwing', () => {
    expect(isAnonymizeSpec({ buckets: [18, 65] })).toBe(true);
    expect(isAnonymizeSpec(vocabulary('boleto'))).toBe(true);
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
      'redact',
      { buckets: [] },
      { buckets: [2, 1] },
      { buckets: [1, 1] },
      { buckets: [Number.NaN] },
      { buckets: Array.from({ length: MAX_BUCKETS + 1 }, (_, i) => i) },
      { ...vocabulary('boleto'), residualRisk: 'none' },
      { ...vocabulary('boleto'), redact: 'some' },
      { ...vocabulary('boleto'), namesAndAddresses: 'suppress-capitalized' },
      vocabulary('boleto2'),
      vocabulary(),
      [],
      null,
      Object.create(null),
    ]) {
      expect(isAnonymizeSpec(bad)).toBe(false);
    }
    fc.assert(fc.property(fc.anything(), (x) => typeof isAnonymizeSpec(x) === 'boolean'));
    expect([
      anonymizeName(vocabulary('Boleto', 'boleto', 'pix')),
      anonymizeName({ keepFirst: 4 }),
      anonymizeName({ round: 10 }),
      anonymizeName({ buckets: [18, 65] }),
    ]).toEqual(['vocabulary:2', 'keepFirst:4', 'round:10', 'buckets:18,65']);
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
      anonymize: vocabulary('great', 'help', 'reach', 'me', 'at'),
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
      anonymize: vocabulary('meu', 'cpf', 'foi', 'cobrado', 'duas', 'vezes', 'ligue', 'para', 'por', 'favor'),
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
    rights: rightsDesk({
      verify: ({ verification: v }) => (v as { code?: string })?.code === 'ok',
      sources: { member: members.source, case: cases.source },
      recipients: { 'Survey platform': () => {} },
    }),
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
  it('LGPD Art. 12, 16 IV: keeps only generalized forms, in copies with no subject id, record id, blind index or other personal field', async () => {
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
    expect(answer.fields.find((f) => f.field === 'birthDate')?.reason).toMatch(
      /^erased; an anonymous copy keeps only its first 4 characters.*exclusive use.*\(LGPD Art\. 12, 16 IV; GDPR Recital 26\)$/,
    );
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

  it('LGPD Art. 16 IV, 18 VI: refuses, before anything is shredded, a store that cannot keep the anonymous copies', async () => {
    const { pf, members, ctx } = await desk({ anonymize: false });
    const r = await pf.rights.request({ subjectId: id, kind: 'erasure', verification });
    const err = await pf.rights.erase(r.id).catch((e) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_OPTIONS_INVALID');
    expect(err.message).toMatch(/needs anonymize\(\)/);
    expect(err.message).not.toContain('ana@');
    await expect(pf.open(Member, members.rows.get(id), ctx)).resolves.toMatchObject({ email: 'ana@example.com' });
  });

  it('LGPD Art. 18 VI: without remove(), a row with nothing retained is updated: no value in clear stays', async () => {
    const { pf, cases } = await desk({ remove: false });
    await pf.rights.erase((await pf.rights.request({ subjectId: id, kind: 'erasure', verification })).id);
    const c1 = cases.rows.get('C-1') as Record<string, unknown>;
    expect(c1.memberId).toBeUndefined();
    expect(c1.channel).toBe('chat');
    expect(cases.anonymous).toHaveLength(2);
  });

  it('LGPD Art. 8 §5, 12: revoking consent keeps the anonymized form of what only that consent justified', async () => {
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
  const pf = createPurposeful({ consent: memoryConsentLedger(purposes), purposes, schemas: [Member, Case], keys, keyStore });
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

  it('LGPD Art. 15, 16 IV: anonymizes expired records, says so in a dry run, and resumes after a crash without a copy twice', async () => {
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
    // the case number is a digit run, and caso is not in the vocabulary: suppressed, like the e-mail's value (LGPD Art. 12)
    expect(anonymous.every((a) => a.data.body === '[…]: [EMAIL]')).toBe(true);
    expect(JSON.stringify(anonymous)).not.toMatch(/ana@|C-\d|5f0c8a57/);
    expect(rows.size).toBe(10);
  });

  it('LGPD Art. 16 IV: a schema declaring anonymize needs a source that can keep the copies', async () => {
    const source = sweepSource(new Map(), []);
    const { anonymize: _omit, ...without } = source;
    await expect(pf.retention.sweep(without as RetentionSource)).rejects.toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID', message: expect.stringMatching(/needs anonymize\(\)/) }),
    );
  });
});

describe('anonymize in the declarations', () => {
  it('LGPD Art. 12, 37: accepts the specs that fit, shows them and the residual risk in the data map, and a diff reads adding one as widening', () => {
    expect(Member.field('birthDate')?.anonymize).toEqual({ keepFirst: 4 });
    const map = dataMap({ purposes, schemas: [Member] });
    const fields = Object.fromEntries((map.schemas[0]?.fields ?? []).map((f) => [f.path, f.anonymize]));
    expect(fields).toMatchObject({ birthDate: 'keepFirst:4', age: 'round:10', survey: 'vocabulary:5', email: undefined });
    expect(map.schemas[0]?.fields.find((f) => f.path === 'survey')?.anonymizeText).toEqual({
      vocabulary: ['at', 'great', 'help', 'me', 'reach'],
      residualRisk: RISK,
    });
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
    const Before = version({ round: 5 }, { keepFirst: 3 });
    const After = version({ round: 10 }, { keepFirst: 5 }, vocabulary('boleto'));
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
    // a word the vocabulary gains is a widening to review, one it loses a narrowing; a new residual risk is a change
    const Wider = version({ round: 10 }, { keepFirst: 5 }, { ...vocabulary('boleto', 'pix'), residualRisk: `${RISK} Reviewed.` });
    // a committed map read back (purposeful diff --base) carries the vocabulary and the statement; a malformed one is refused
    const read = (m: unknown) => parseDataMap(JSON.parse(JSON.stringify(m)));
    const wider = diffDataMaps(read(dataMap({ purposes, schemas: [After] })), read(dataMap({ purposes, schemas: [Wider] })));
    const broken = JSON.parse(JSON.stringify(dataMap({ purposes, schemas: [After] })));
    broken.schemas[0].fields.find((f: { path: string }) => f.path === 'bio').anonymizeText.vocabulary = 'boleto';
    expect(() => read(broken)).toThrow(expect.objectContaining({ code: 'PF_INPUT_INVALID' }));
    expect(wider.filter((c) => c.path === 'bio').map((c) => [c.kind, c.direction, c.message])).toEqual([
      ['field.anonymize_weakened', 'widening', 'member.bio: free text kept anonymized now also keeps pix'],
      ['field.anonymize_risk_changed', 'changed', 'member.bio: the residual-risk statement of its anonymization changed'],
    ]);
    const narrower = diffDataMaps(dataMap({ purposes, schemas: [Wider] }), dataMap({ purposes, schemas: [After] }));
    expect(narrower.filter((c) => c.path === 'bio').map((c) => [c.kind, c.direction])).toEqual([
      ['field.anonymize_risk_changed', 'changed'],
      ['field.anonymize_strengthened', 'narrowing'],
    ]);
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
  const pf = createPurposeful({ consent: memoryConsentLedger(purposes), purposes, schemas: [Lead] });
  const token = fc.stringMatching(/^[a-z]{12}$/);

  it('LGPD Art. 12: hold only declared non-personal values and generalized fields, whatever the record holds', async () => {
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
      anonymize: vocabulary('estorno', 'por', 'favor'),
    });
  const Odd = defineSchema(
    'odd',
    z.object({
      ref: pd.none(z.string()),
      // a subject id that declares an anonymization purposeful accepts: it still never reaches a copy
      who: pd(z.string(), {
        category: 'user.contact.address.postal_code',
        purposes: ['support.ticket'],
        anonymize: { keepFirst: 2 },
      }),
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
  const pf = createPurposeful({ consent: memoryConsentLedger(purposes), purposes, schemas: [Odd] });
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

  it('LGPD Art. 12: a union of pd.none with personal fields, an opaque pd.none, unannotated text and the subject id stay out', async () => {
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

  it('LGPD Art. 12: a malformed spec is a declaration problem, never a TypeError', () => {
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

  it('LGPD Art. 8 §5, 18 IX: a revocation that cannot store its change fails before consent is withdrawn', async () => {
    const { pf: desk, consent } = await deskWith({ anonymize: false });
    await consent.grant(surveyGrant(id));
    const r = await desk.rights.request({ subjectId: id, kind: 'revocation', verification });
    await expect(desk.rights.revoke(r.id, 'support.survey')).rejects.toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
    expect((await consent.status(id, ['support.survey'])).get('support.survey')?.status).toBe('granted');
  });

  it('LGPD Art. 18 VI: an erasure whose store fails shreds nothing; the retry keeps each copy once and then shreds', async () => {
    const { pf: desk, members, cases, ctx } = await deskWith({});
    let fail = true;
    const keep = cases.source.anonymize as NonNullable<RightsSource['anonymize']>;
    cases.source.anonymize = async (...args) => {
      if (fail) throw new Error('connection lost');
      return keep(...args);
    };
    const r = await desk.rights.request({ subjectId: id, kind: 'erasure', verification });
    // the store's own error (it may quote values) is not passed on: the erasure is unfinished (PF_STORE_UNAVAILABLE)
    await expect(desk.rights.erase(r.id)).rejects.toThrow(expect.objectContaining({ code: 'PF_STORE_UNAVAILABLE' }));
    // the row already carries the erasure (LGPD Art. 16: what it keeps opens only for the purposes that keep it), but
    // no key was shredded: without that column its values still open
    const { pf_restriction: _erased, ...unmarked } = members.rows.get(id) as Record<string, unknown>;
    await expect(desk.open(Member, unmarked, ctx)).resolves.toMatchObject({ email: 'ana@example.com' });
    fail = false;
    const answer = await desk.rights.erase(r.id);
    expect(answer.receipt).toBeDefined();
    expect(members.anonymous).toHaveLength(1); // kept by the first attempt, not again
    expect(cases.anonymous).toHaveLength(2);
    await expect(desk.open(Member, members.rows.get(id), ctx)).rejects.toThrow(
      expect.objectContaining({ code: 'PF_SUBJECT_ERASED' }),
    );
  });

  it('LGPD Art. 12: a diff reads another kind of anonymization, or a bound the buckets gain, as a widening', () => {
    const map = (spec: AnonymizeSpec) =>
      dataMap({
        purposes,
        schemas: [
          defineSchema(
            'x',
            z.object({
              age: pd(z.number(), { category: 'user.demographic.age_range', purposes: ['support.ticket'], anonymize: spec }),
            }),
            { purposes },
          ),
        ],
      });
    const kind = (a: AnonymizeSpec, b: AnonymizeSpec) =>
      diffDataMaps(map(a), map(b))
        .filter((c) => c.path === 'age')
        .map((c) => [c.kind, c.direction]);
    expect(kind({ buckets: [18, 65] }, { round: 10 })).toEqual([['field.anonymize_weakened', 'widening']]);
    expect(kind({ buckets: [18, 65] }, { buckets: [18, 40, 65] })).toEqual([['field.anonymize_weakened', 'widening']]);
    expect(kind({ buckets: [18, 40, 65] }, { buckets: [18, 65] })).toEqual([['field.anonymize_strengthened', 'narrowing']]);
  });
});

describe('erasure without a source for every schema', () => {
  it('LGPD Art. 18 VI; GDPR Art. 17: shreds the subject’s keys even when no registered source holds encrypted data', async () => {
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
      consent: memoryConsentLedger(purposes),
      encryption: { receipts: { key: await exportJWK(privateKey), alg: 'EdDSA' } },
      purposes,
      schemas: [Member, Note],
      keys: generateKeyring(),
      keyStore: memoryKeyStore(),
      rights: rightsDesk({
        verify: () => true,
        sources: { note: { find: async () => [], update: async () => undefined } },
        recipients: { 'Survey platform': (n) => void told.push(n) },
      }),
    });
    const told: RecipientNotice[] = [];
    const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
    // a member row kept in a store the rights desk was not told about (or in a backup)
    const elsewhere = await pf.seal(Member, member, ctx);
    const answer = await pf.rights.erase((await pf.rights.request({ subjectId: id, kind: 'erasure', verification: {} })).id);
    expect(answer.receipt).toBeDefined();
    // LGPD Art. 18 §6; GDPR Art. 19: what the shredding made unreadable is passed on, at the field level (no row found)
    expect(told.map((n) => [n.recipient, n.kind, 'fields' in n ? n.fields.every((f) => f.record === undefined) : false])).toEqual(
      [['Survey platform', 'elimination', true]],
    );
    await expect(pf.open(Member, elsewhere, ctx)).rejects.toThrow(expect.objectContaining({ code: 'PF_SUBJECT_ERASED' }));
  });
});

describe('anonymous means anonymous (LGPD Art. 12)', () => {
  type Problem = { code: string; severity: string; requiredBy: string; article?: string; message: string; path?: string };
  /** The anonymization problems defineSchema reports for one field `f`. */
  const problemsOf = (f: z.ZodType): Problem[] => {
    try {
      defineSchema('x', z.object({ f }), { purposes });
      return [];
    } catch (e) {
      if (!isPurposefulError(e)) throw e;
      return ((e.problems ?? []) as Problem[]).filter((p) => p.code.startsWith('PF_DECL_ANONYMIZE_'));
    }
  };
  const text = (anonymize: unknown) =>
    pd(z.string(), {
      category: 'user.content.private',
      purposes: ['support.ticket'],
      freeText: true,
      encrypt: false,
      anonymize: anonymize as AnonymizeSpec,
    });
  const codes = (f: z.ZodType) => problemsOf(f).map((p) => p.code);
  const spoken = 'Sou Ana Souza, moro na Rua das Flores 12, cpf 529.982.247-25';

  /** A desk over one schema of notes: its sources keep the copies they are given. */
  const noteDesk = (body: z.ZodType, anonymize: boolean) => {
    const Note = defineSchema(
      'note',
      z.object({
        ref: pd.none(z.string()),
        who: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
        body,
      }),
      { purposes, subject: { kind: 'customer', id: 'who', minors: 'never' }, recordId: 'ref' },
    );
    const rows = new Map([['N-1', { ref: 'N-1', who: 'c-1', body: spoken }]]);
    const copies: AnonymousRecord[] = [];
    const source: RightsSource = {
      find: async () => [...rows.values()].map((r) => ({ ...r })),
      update: async (_s, row) => void rows.set(String(row.ref), row as never),
      remove: async (_s, row) => void rows.delete(String(row.ref)),
      ...(anonymize
        ? {
            anonymize: async (_s: string, copy: AnonymousRecord, row: Record<string, unknown>) => {
              copies.push(copy);
              rows.delete(String(row.ref));
            },
          }
        : {}),
    };
    const pf = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Note],
      rights: rightsDesk({ verify: () => true, sources: { note: source } }),
    });
    const erase = async () =>
      pf.rights.erase((await pf.rights.request({ subjectId: 'c-1', kind: 'erasure', verification: {} })).id);
    return { erase, rows, copies };
  };

  it("LGPD Art. 12, 13 §4; GDPR Art. 4(5): anonymize: 'redact' is refused, because redacted text that keeps names and addresses is still personal data", () => {
    // before, this declaration was accepted and the erasure answer said of "Sou Ana Souza, moro na Rua das Flores 12,
    // cpf [CPF]" that it was kept in an anonymous copy under LGPD Art. 12 and 16 IV
    const [p, ...rest] = problemsOf(text('redact'));
    expect(rest).toEqual([]);
    expect(p).toMatchObject({
      code: 'PF_DECL_ANONYMIZE_NOT_ANONYMOUS',
      severity: 'error',
      requiredBy: 'law',
      article: 'LGPD Art. 5 III, 12, 13 §4; GDPR Art. 4(5), Recital 26',
      path: 'f',
    });
    expect(p?.message).toMatch(
      /names, addresses .* stay.*still personal data \(pseudonymized at most: LGPD Art\. 13 §4; GDPR Art\. 4\(5\)\), not anonymous \(LGPD Art\. 12\)/,
    );
    // on a field that is not free text, for the same reason
    expect(codes(pd(z.string(), { category: 'user.name', purposes: ['support.ticket'], anonymize: 'redact' as never }))).toEqual([
      'PF_DECL_ANONYMIZE_NOT_ANONYMOUS',
    ]);
  });

  it('LGPD Art. 12, 16, 18 VI: free text with no anonymous declaration is deleted by an erasure, and no copy of it is kept', async () => {
    const desk = noteDesk(
      pd(z.string(), { category: 'user.content.private', purposes: ['support.ticket'], freeText: true, encrypt: false }),
      false,
    );
    const answer = await desk.erase();
    expect(answer.fields.map((f) => [f.field, f.outcome, f.reason])).toEqual([
      ['who', 'deleted', 'removed from the record'],
      ['body', 'deleted', 'removed from the record'],
    ]);
    expect(desk.copies).toEqual([]);
    expect(desk.rows.size).toBe(0);
  });

  it('LGPD Art. 12, 16 IV: a declared vocabulary keeps no name, address or number of the person, and only then does the answer say anonymized', async () => {
    const desk = noteDesk(text(vocabulary('sou', 'moro', 'na', 'das', 'cpf')), true);
    const answer = await desk.erase();
    const body = answer.fields.find((f) => f.field === 'body');
    expect(body?.outcome).toBe('anonymized');
    expect(body?.reason).toMatch(
      /^erased; an anonymous copy keeps only words of a declared vocabulary and the kind of each identifier found \(every name, address, number and other word suppressed; the controller documents the residual risk\), .*\(LGPD Art\. 12, 16 IV; GDPR Recital 26\)$/,
    );
    expect(desk.copies).toEqual([
      { schema: 'note', fields: ['body'], data: { body: 'Sou […], moro na […] das […], cpf [CPF]' } },
    ]);
    const kept = JSON.stringify(desk.copies);
    for (const v of ['Ana', 'Souza', 'Rua', 'Flores', '12', '529', 'c-1', 'N-1']) expect(kept).not.toContain(v);
  });

  it('LGPD Art. 12: whatever names, addresses and numbers a text holds, its copy holds only vocabulary words, detector labels, the suppression mark and punctuation', () => {
    const words = ['meu', 'boleto', 'foi', 'cobrado', 'duas', 'vezes', 'não', 'cartão'];
    const spec = vocabulary(...words);
    const allowed = new Set(words);
    const fold = (w: string) => w.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    const folded = new Set(words.map(fold));
    const piece = fc.oneof(
      fc.constantFrom(...words, 'Meu', 'BOLETO', 'nao', 'Cartao'),
      fc.constantFrom('Ana', 'Souza', 'Rua', 'Flores', 'Avenida', 'Paulista', 'Zé', 'josé', 'Ñandú', '李雷'),
      fc.stringMatching(/^[a-zà-ú]{1,8}$/),
      fc.stringMatching(/^\d{1,11}$/),
      fc.constantFrom('ana@example.com', '529.982.247-25', '(11) 98765-4321', '01310-100', '[ANA]', '[CPF]', '#12', '@ana'),
    );
    const sep = fc.constantFrom(' ', ', ', '. ', '\n', '-', '/', '', ' (', ') ', '…', '\t');
    fc.assert(
      fc.property(fc.array(fc.tuple(piece, sep), { maxLength: 30 }), (parts) => {
        const input = parts.map(([p, s]) => p + s).join('');
        const out = anonymizeValue(spec, input) as string | undefined;
        if (out === undefined) return;
        expect(out.replace(/\[IPV[46]\]/g, '')).not.toMatch(/\d/); // no digit, but in a label's name
        for (const w of out.replace(/\[[A-Z0-9_]+\]|\[…\]/g, ' ').match(/[\p{L}\p{M}]+/gu) ?? []) {
          expect(folded.has(fold(w))).toBe(true);
        }
        for (const label of out.match(/\[[^\]]*\]/g) ?? []) expect(label).toMatch(/^\[(…|[A-Z0-9_]+)\]$/);
        expect(allowed.size).toBe(words.length);
      }),
      { numRuns: 500 },
    );
  });

  it('LGPD Art. 12: a vocabulary that would keep a common name or a street-address word is refused', () => {
    const [p, ...rest] = problemsOf(text(vocabulary('boleto', 'Rosa', 'Antônio', 'rua', 'costa')));
    expect(rest).toEqual([]);
    expect(p?.code).toBe('PF_DECL_ANONYMIZE_NOT_ANONYMOUS');
    expect(p?.message).toBe(
      'f: anonymize.vocabulary keeps words that are common names (Rosa, Antônio, costa) and words that open an address (rua): a name or an address typed in the text would stay (LGPD Art. 12)',
    );
  });

  it('LGPD Art. 12: free text is anonymous only after every detector, a name/address policy and a documented residual-risk statement', () => {
    const full = vocabulary('boleto');
    const invalid = (spec: unknown) => problemsOf(text(spec)).map((p) => [p.code, p.message.replace(/^f: /, '')]);
    expect(invalid(full)).toEqual([]);
    expect(invalid({ ...full, redact: 'high' })).toEqual([
      ['PF_DECL_ANONYMIZE_INVALID', "anonymize.redact must be 'all': every detector runs before the vocabulary"],
    ]);
    expect(invalid({ ...full, namesAndAddresses: 'suppress-capitalized' })[0]?.[1]).toMatch(
      /^anonymize\.namesAndAddresses must be 'keep-only-vocabulary': .*lower case/,
    );
    const { residualRisk: _r, ...unstated } = full;
    expect(invalid(unstated)[0]?.[1]).toMatch(/^anonymize\.residualRisk must state/);
    expect(invalid({ ...full, residualRisk: 'low risk' })[0]?.[1]).toMatch(/^anonymize\.residualRisk must state/);
    const { namesAndAddresses: _n, ...noPolicy } = full;
    expect(invalid(noPolicy)[0]?.[0]).toBe('PF_DECL_ANONYMIZE_INVALID');
    expect(invalid({ ...full, vocabulary: ['boleto', 'rua 12'] })[0]?.[1]).toBe(
      'anonymize.vocabulary[1] must be one word of 1–40 letters (no digit, space or sign)',
    );
    // a vocabulary is for free text only
    expect(codes(pd(z.string(), { category: 'user.content.private', purposes: ['support.ticket'], anonymize: full }))).toEqual([
      'PF_DECL_ANONYMIZE_INVALID',
    ]);
  });

  it('LGPD Art. 12: keepFirst is anonymous only for a code whose prefix is a coarser class (a CEP to 5 digits, a birth date to its year)', () => {
    const str = (category: string, keepFirst: number) =>
      codes(pd(z.string(), { category, purposes: ['support.ticket'], anonymize: { keepFirst } }));
    expect(str('user.contact.address.postal_code', 5)).toEqual([]);
    expect(str('user.demographic.date_of_birth', 4)).toEqual([]);
    expect(str('user.contact.address.postal_code', 6)).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(str('user.demographic.date_of_birth', 7)).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(str('user.contact.email', 3)).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(str('user.name', 1)).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(str('user.government_id', 3)).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    const [p] = problemsOf(
      pd(z.string(), { category: 'user.contact.address.postal_code', purposes: ['support.ticket'], anonymize: { keepFirst: 8 } }),
    );
    expect(p?.message).toBe(
      "f: anonymize: keepFirst: 8 keeps more than a CEP's region, sub-region, sector, subsector and subsector divider (its last three digits name the street or building): at most 5 is anonymous (LGPD Art. 12)",
    );
  });

  it('LGPD Art. 12: round is anonymous only for an age in bands of 5 years or more; buckets generalize any number to declared labels', () => {
    const num = (category: string, anonymize: AnonymizeSpec) =>
      codes(pd(z.number(), { category, purposes: ['support.ticket'], anonymize }));
    expect(num('user.demographic.age_range', { round: 5 })).toEqual([]);
    expect(num('user.demographic.age_range', { round: 1 })).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(num('user.financial', { round: 1000 })).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(num('user.unique_id', { round: 10 })).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(num('user.financial', { buckets: [1000, 3000, 10000] })).toEqual([]);
    expect(
      codes(pd(z.string(), { category: 'user.financial', purposes: ['support.ticket'], anonymize: { buckets: [1] } })),
    ).toEqual(['PF_DECL_ANONYMIZE_INVALID']);
    // a value always lands on one of the declared labels, the open ends included: an outlier is never kept apart
    const bounds = [18, 25, 40, 65];
    const labels = new Set(['<18', '[18, 25)', '[25, 40)', '[40, 65)', '>=65']);
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        expect(labels.has(anonymizeValue({ buckets: bounds }, v) as string)).toBe(true);
      }),
    );
    expect([17.9, 18, 24.99, 65, 104].map((v) => anonymizeValue({ buckets: bounds }, v))).toEqual([
      '<18',
      '[18, 25)',
      '[18, 25)',
      '>=65',
      '>=65',
    ]);
  });
});

describe('buckets group quantities, never identifiers (LGPD Art. 12)', () => {
  /** The anonymization problems defineSchema reports for one numeric field of this category. */
  const problems = (category: string, buckets: number[]) => {
    try {
      defineSchema('acct', z.object({ f: pd(z.number(), { category, purposes: ['support.ticket'], anonymize: { buckets } }) }), {
        purposes,
      });
      return [];
    } catch (e) {
      if (!isPurposefulError(e)) throw e;
      return [...(e.problems ?? [])].filter((p) => p.code.startsWith('PF_DECL_ANONYMIZE_'));
    }
  };
  const codes = (category: string, buckets: number[]) => problems(category, buckets).map((p) => p.code);

  it('LGPD Art. 12; GDPR Recital 26: buckets on an identifier category are refused, since a narrow bucket is the account number itself', () => {
    const accountNo = problems('user.financial.bank_account', [100001, 100002, 100003, 100004, 100005]);
    expect(accountNo.map((p) => p.code)).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(accountNo[0]?.message).toContain('ranges of identifiers');
    for (const category of [
      'user.unique_id',
      'user.government_id.national_identification_number',
      'user.financial.credit_card',
      'user.payment',
      'user.contact.phone_number',
      'user.contact.address.postal_code',
      'user.device.device_id',
      'user.account.username',
    ]) {
      expect(codes(category, [0, 1_000_000, 2_000_000]), category).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    }
  });

  it('LGPD Art. 12: buckets must group: one holding a single whole number, or carved narrow among wide ones, is refused', () => {
    // twenty one-year buckets keep the exact year of birth
    const years = Array.from({ length: 20 }, (_, i) => 1980 + i);
    expect(codes('user.demographic.date_of_birth', years)).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(problems('user.demographic.date_of_birth', years)[0]?.message).toContain('holds a single whole number');
    // one amount singled out between wide buckets
    expect(codes('user.financial', [0, 4999, 5000, 100_000])).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    expect(codes('user.financial', [0, 1000, 1000.5, 100_000])).toEqual(['PF_DECL_ANONYMIZE_NOT_ANONYMOUS']);
    // quantities in buckets that group are anonymous
    expect(codes('user.financial', [1000, 3000, 10000])).toEqual([]);
    expect(codes('user.demographic.age_range', [18, 25, 40, 65])).toEqual([]);
    expect(codes('user.demographic.date_of_birth', [1950, 1960, 1970, 1980, 1990, 2000])).toEqual([]);
    expect(codes('user.behavior', [0.25, 0.5, 0.75])).toEqual([]);
    expect(codes('user.financial', [5000])).toEqual([]); // two open-ended labels
  });

  it('LGPD Art. 12, 16 IV: an erasure keeps no exact value in its anonymous copy under buckets', async () => {
    const Acct = defineSchema(
      'acct',
      z.object({
        id: pd.none(z.string()),
        customerId: pd(z.string(), { category: 'user.unique_id', purposes: ['support.ticket'] }),
        balance: pd(z.number(), {
          category: 'user.financial',
          purposes: ['support.ticket'],
          anonymize: { buckets: [1000, 3000, 10000] },
        }),
      }),
      { purposes, subject: { kind: 'customer', id: 'customerId' }, recordId: 'id' },
    );
    const rows = new Map<string, Record<string, unknown>>([['a', { id: 'a', customerId: 'c1', balance: 2345.67 }]]);
    const copies: AnonymousRecord[] = [];
    const source: RightsSource = {
      find: async (s) => [...rows.values()].filter((r) => r.customerId === s),
      update: async (_s, r) => void rows.set(r.id as string, r),
      remove: async (_s, r) => void rows.delete(r.id as string),
      anonymize: async (_s, copy, row, change) => {
        copies.push(copy);
        if (change === 'remove') rows.delete(row.id as string);
        else rows.set(row.id as string, row);
      },
    };
    const pf = createPurposeful({
      consent: memoryConsentLedger(purposes),
      purposes,
      schemas: [Acct],
      rights: rightsDesk({ verify: () => true, sources: { acct: source } }),
    });
    const r = await pf.rights.request({ subjectId: 'c1', kind: 'erasure', verification: 1 });
    const answer = await pf.rights.erase(r.id);
    expect(answer.fields.find((f) => f.field === 'balance')?.outcome).toBe('anonymized');
    expect(JSON.stringify(copies)).toContain('[1000, 3000)');
    expect(JSON.stringify(copies)).not.toContain('2345');
  });
});
