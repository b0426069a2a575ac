import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Customer, Invoice, purposes, Ticket } from '../../examples/support-desk/declarations.js';
import {
  type DataMap,
  dataMap,
  declarationCoverage,
  definePurposes,
  defineSchema,
  diffDataMaps,
  isPurposefulError,
  parseDataMap,
  pd,
} from '../../src/index.js';

const map = dataMap({ purposes, schemas: [Ticket, Customer, Invoice] });
const clone = (m: DataMap): DataMap => JSON.parse(JSON.stringify(m));

describe('dataMap', () => {
  it('is sorted and stable whatever the order of the schemas', () => {
    const again = dataMap({ schemas: [Invoice, Customer, Ticket, Customer] });
    expect(JSON.stringify(again)).toBe(JSON.stringify(map));
    expect(map.schemas.map((s) => s.id)).toEqual(['customer', 'invoice', 'ticket']);
    expect(map.purposes.map((p) => p.id)).toEqual([
      'analytics.churn',
      'billing.invoice',
      'security.access_log',
      'support.accessibility',
      'support.survey',
      'support.ticket',
    ]);
  });

  it('gives each purpose its RoPA entry: bases, consent, retention, categories, subjects, sensitivity, fields', () => {
    const accessibility = map.purposes.find((p) => p.id === 'support.accessibility');
    expect(accessibility).toMatchObject({
      legalBasis: { gdpr: 'consent', lgpd: 'consent' },
      sensitiveBasis: { gdpr: 'explicit_consent', lgpd: 'consent' },
      consentUnder: ['lgpd', 'gdpr'],
      retention: { duration: 'P2Y' },
      dataCategories: ['user.health_and_medical', 'user.unique_id'],
      subjectCategories: ['customer'],
      sensitive: true,
      mfa: 'sensitive',
      fields: ['customer.accessibility', 'customer.id'],
    });
    expect(map.controller).toEqual({
      name: 'Exemplo Suporte Ltda',
      contact: 'privacidade@example.com.br',
      dpo: { name: 'Encarregada de Dados', contact: 'dpo@example.com.br' },
    });
  });

  it('records per field its access per purpose (with role levels) and its protection', () => {
    const customer = map.schemas.find((s) => s.id === 'customer');
    const phone = customer?.fields.find((f) => f.path === 'phone');
    expect(phone?.access['support.ticket']).toEqual({ level: 'masked', roles: { supervisor: 'clear' } });
    expect(phone?.mask).toBe('phone');
    const postal = customer?.fields.find((f) => f.path === 'address.postalCode');
    expect(postal?.mask).toBe('keepLast:3');
    const message = map.schemas.find((s) => s.id === 'ticket')?.fields.find((f) => f.path === 'messages[].text');
    expect(message).toMatchObject({ encrypted: true, redaction: { style: 'label', threshold: 'medium' } });
    const health = customer?.fields.find((f) => f.path === 'accessibility');
    expect(health).toMatchObject({ sensitive: true, sensitiveKind: 'health', encrypted: true });
  });

  it('refuses two schemas of one id and one purpose declared twice', () => {
    const other = definePurposes({
      'support.ticket': {
        description: 'Answer the customer about their support request',
        legalBasis: { lgpd: 'contract' },
        retention: 'P1Y',
      },
    });
    const Dup = defineSchema(
      'customer',
      z.object({ name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }) }),
      { purposes: other },
    );
    const err = (() => {
      try {
        dataMap({ schemas: [Customer, Dup] });
      } catch (e) {
        return e;
      }
    })();
    expect(isPurposefulError(err) && err.code).toBe('PF_DECLARATION_INVALID');
    expect(() => dataMap({ purposes, schemas: [Dup] })).toThrow(/purpose "support.ticket" is declared by two registries/);
  });
});

describe('declarationCoverage', () => {
  it('counts annotated and pd.none() leaves against every leaf, nested and in arrays', () => {
    const cov = declarationCoverage([Customer, Ticket, Invoice]);
    // every leaf of the support desk is declared
    expect(cov.undeclared).toEqual([]);
    expect(cov.total).toBe(cov.declared);
    expect(cov.declared).toBe(9 + 10 + 5);
    const Partial = defineSchema(
      'partial',
      z.object({
        id: z.uuid(),
        name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }),
        messages: z.array(z.object({ at: z.string(), from: pd.none(z.string()) })),
      }),
      { purposes, unannotated: 'allow' },
    );
    const partial = declarationCoverage([Partial]);
    expect(partial.undeclared).toEqual(['partial.id', 'partial.messages[].at']);
    expect(partial.declared).toBe(2);
  });

  it('terminates on recursive schemas', () => {
    const p = definePurposes({
      'support.ticket': {
        description: 'Answer the customer about their support request',
        legalBasis: { lgpd: 'contract' },
        retention: 'P1Y',
      },
    });
    interface Node {
      name: string;
      children: Node[];
    }
    const NodeZ: z.ZodType<Node> = z.lazy(() =>
      z.object({ name: pd(z.string(), { category: 'user.name', purposes: ['support.ticket'] }), children: z.array(NodeZ) }),
    );
    const Tree = defineSchema('tree', z.object({ root: NodeZ }), { purposes: p });
    const cov = declarationCoverage([Tree]);
    expect(cov.declared).toBeGreaterThanOrEqual(1);
    expect(cov.total).toBe(cov.declared + cov.undeclared.length);
  });
});

describe('diffDataMaps', () => {
  it('finds nothing between a map and itself', () => {
    expect(diffDataMaps(map, clone(map))).toEqual([]);
  });

  it('reads role levels, second factor, minors and the controller', () => {
    const after = clone(map) as unknown as {
      purposes: { id: string; mfa?: string }[];
      schemas: { id: string; subject?: { minors: string }; fields: { path: string; access: Record<string, unknown> }[] }[];
      controller?: unknown;
    };
    const customer = after.schemas.find((s) => s.id === 'customer');
    const phone = customer?.fields.find((f) => f.path === 'phone');
    if (phone) phone.access['support.ticket'] = { level: 'masked', roles: { supervisor: 'clear', support: 'clear' } };
    const accessibility = after.purposes.find((p) => p.id === 'support.accessibility');
    if (accessibility) delete accessibility.mfa;
    if (customer?.subject) customer.subject.minors = 'possible';
    after.controller = undefined;
    const changes = diffDataMaps(map, after as unknown as DataMap);
    expect(changes.map((c) => [c.kind, c.direction])).toEqual(
      expect.arrayContaining([
        ['field.access_widened', 'widening'],
        ['purpose.mfa_weakened', 'widening'],
        ['schema.minors_widened', 'widening'],
        ['controller.changed', 'changed'],
      ]),
    );
    expect(changes.find((c) => c.kind === 'field.access_widened')?.message).toBe(
      'customer.phone: support.ticket for role support now sees it clear (was masked)',
    );
  });

  it('a recipient that moves abroad or becomes a controller, criminal data, weaker redaction, a new subject with minors: all widen', () => {
    const after = clone(map) as unknown as {
      purposes: { id: string; recipients: { name: string; role: string; country?: string }[] }[];
      schemas: {
        id: string;
        subject?: { kind: string; minors: string };
        fields: {
          path: string;
          criminal?: boolean;
          access: Record<string, unknown>;
          redaction?: { types?: string[]; style: string };
        }[];
      }[];
    };
    const invoice = after.purposes.find((p) => p.id === 'billing.invoice');
    if (invoice?.recipients[0]) invoice.recipients[0] = { name: 'NF-e issuing service', role: 'controller', country: 'US' };
    const ticket = after.schemas.find((s) => s.id === 'ticket');
    const text = ticket?.fields.find((f) => f.path === 'messages[].text');
    if (text) text.redaction = { style: 'mask', threshold: 'medium', types: ['email'] } as never;
    const subject = ticket?.fields.find((f) => f.path === 'subject');
    if (subject) subject.criminal = true;
    const base = clone(map) as unknown as { schemas: { id: string; subject?: unknown }[] };
    const invoiceSchema = base.schemas.find((s) => s.id === 'invoice');
    if (invoiceSchema) delete invoiceSchema.subject;
    const inv = after.schemas.find((s) => s.id === 'invoice');
    if (inv) inv.subject = { kind: 'customer', minors: 'possible' };
    const changes = diffDataMaps(base as unknown as DataMap, after as unknown as DataMap);
    const widening = changes.filter((c) => c.direction === 'widening').map((c) => c.message);
    expect(widening).toEqual(
      expect.arrayContaining([
        'billing.invoice: recipient NF-e issuing service is now controller in US (was processor in BR)',
        'ticket.messages[].text: free text is now redacted as mask (was label)',
        'ticket.messages[].text: free text is now redacted only for email (was every type)',
        'ticket.subject becomes criminal-offence data (GDPR Art. 10)',
        'invoice: minors among its subjects is now "possible" (was "never")',
      ]),
    );
    expect(changes.find((c) => c.kind === 'schema.subject_changed')?.direction).toBe('changed');
  });

  it('an access that gives nothing (none for every role) is no use of the field', () => {
    const after = clone(map) as unknown as {
      schemas: { id: string; fields: { path: string; access: Record<string, unknown> }[] }[];
    };
    const cpf = after.schemas.find((s) => s.id === 'customer')?.fields.find((f) => f.path === 'cpf');
    if (cpf) cpf.access['support.survey'] = { level: 'none', roles: { supervisor: 'none' } };
    expect(diffDataMaps(map, after as unknown as DataMap)).toEqual([]);
  });

  it('a retention written another way but as long is no change; P12M is P1Y', () => {
    const after = clone(map) as unknown as { purposes: { id: string; retention: { duration: string } }[] };
    const churn = after.purposes.find((p) => p.id === 'analytics.churn');
    if (churn) churn.retention.duration = 'P12M';
    expect(diffDataMaps(map, after as unknown as DataMap)).toEqual([]);
  });

  it('removing declarations only ever narrows; adding them back only ever widens (property)', () => {
    const fieldsOf = map.schemas.flatMap((s) => s.fields.map((f) => `${s.id}.${f.path}`));
    const purposeIds = map.purposes.map((p) => p.id);
    fc.assert(
      fc.property(
        fc.subarray(fieldsOf),
        fc.subarray(purposeIds),
        fc.subarray(purposeIds),
        (goneFields, goneAccess, goneRecipients) => {
          const smaller = clone(map) as unknown as {
            purposes: { id: string; recipients: unknown[] }[];
            schemas: { id: string; fields: { path: string; access: Record<string, unknown> }[] }[];
          };
          for (const s of smaller.schemas) {
            s.fields = s.fields.filter((f) => !goneFields.includes(`${s.id}.${f.path}`));
            for (const f of s.fields) for (const p of goneAccess) delete f.access[p];
          }
          for (const p of smaller.purposes) if (goneRecipients.includes(p.id)) p.recipients = [];
          const small = smaller as unknown as DataMap;
          const down = diffDataMaps(map, small);
          const up = diffDataMaps(small, map);
          expect(down.every((c) => c.direction === 'narrowing')).toBe(true);
          expect(up.every((c) => c.direction === 'widening')).toBe(true);
          expect(up.length).toBe(down.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseDataMap', () => {
  it('takes a map and refuses anything else with what is wrong', () => {
    expect(parseDataMap(JSON.parse(JSON.stringify(map)))).toEqual(JSON.parse(JSON.stringify(map)));
    expect(() => parseDataMap([])).toThrow('the document must be an object');
    expect(() => parseDataMap({ format: 'purposeful.map/2', purposes: [], schemas: [] })).toThrow('"format" must be');
    expect(() => parseDataMap({ format: 'purposeful.map/1', purposes: [{}], schemas: [] })).toThrow(
      'purposes[0].id must be a string',
    );
    const nullRecipient = JSON.parse(JSON.stringify(map));
    nullRecipient.purposes[0].recipients = [null];
    expect(() => parseDataMap(nullRecipient)).toThrow('purposes[0].recipients[0] must be an object');
    const badAccess = JSON.parse(JSON.stringify(map));
    badAccess.schemas[0].fields[0].access = { 'support.ticket': 'clear' };
    expect(() => parseDataMap(badAccess)).toThrow(/schemas\[0\]\.fields\[0\]\.access\.[a-z.]+ must be an object/);
    expect(() =>
      parseDataMap({ format: 'purposeful.map/1', purposes: [], schemas: [{ id: 'x', fields: [{ path: 'a' }] }] }),
    ).toThrow('schemas[0].fields[0] needs path, category and access');
  });
});
