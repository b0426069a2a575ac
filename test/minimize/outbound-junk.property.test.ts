// Issue 16, part 5, property: for any schema and any record with junk of any
// shape at any position, what pf.outbound and pf.open let out holds no value
// the purpose's declaration does not let out. Junk where the purpose sees a
// declared place of another structure or kind is refused (PF_OUTPUT_INVALID,
// naming the path, never the value); junk anywhere else is projected away.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createPurposeful,
  defineSchema,
  generateKeyring,
  isPurposefulError,
  memoryKeyStore,
  type PurposefulSchema,
  pd,
} from '../../src/index.js';
import {
  assertLetsOut,
  assertNoMarker,
  inject,
  injectionsArb,
  junkPurposes,
  MARKER,
  mustRefuse,
  type P,
  PURPOSES,
  type Spec,
  shapeArb,
  toZod,
  validArb,
} from './junk.js';

const pseudonymKey = new Uint8Array(32).fill(5);
const actor = { id: 'job-1' };

const caseArb = shapeArb.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    record: fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, validArb(v)]))),
    injections: injectionsArb(),
    purpose: fc.constantFrom(...PURPOSES),
  }),
);

const asObject = (shape: Record<string, Spec>): Spec => ({ t: 'object', fields: shape, ann: 'plain', optional: false });

/** Runs one outbound call and checks its answer or its refusal against the declaration. */
async function check(call: Promise<unknown>, shape: Record<string, Spec>, data: unknown, purpose: P): Promise<void> {
  const refuse = mustRefuse(asObject(shape), data, purpose);
  let out: unknown;
  try {
    out = await call;
  } catch (err) {
    expect(isPurposefulError(err), String(err)).toBe(true);
    if (!isPurposefulError(err)) return;
    expect(err.code).toBe('PF_OUTPUT_INVALID');
    expect(err.status).toBe(500);
    expect(JSON.stringify(err) + err.message).not.toContain(MARKER);
    expect(err.paths).toHaveLength(1);
    expect(refuse, `refused at ${err.paths[0]}, though no junk sits where ${purpose} looks`).toBe(true);
    return;
  }
  expect(refuse, 'junk of another structure or kind sits where the purpose looks, and was not refused').toBe(false);
  assertLetsOut(asObject(shape), out, purpose, '');
  if (!JSON.stringify(shape).includes('"record"')) assertNoMarker(out);
}

describe('outbound projection with junk of any shape at any position (fast-check)', () => {
  it('pf.outbound lets out only what the declaration lets out, or refuses with PF_OUTPUT_INVALID', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, record, injections, purpose }) => {
        const schema = defineSchema('junk', z.object(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, toZod(v)]))), {
          purposes: junkPurposes,
          // the oracle (junk.ts) models unannotated ('plain') places as flowing: the migration mode
          unannotated: 'allow',
        });
        const pf = createPurposeful({ purposes: junkPurposes, schemas: [schema], pseudonymKey });
        const data = inject(record, injections);
        await check(pf.outbound(schema, data, { purpose, actor }), shape, data, purpose);
        // the valid record itself always goes out
        const clean = await pf.outbound(schema, record, { purpose, actor });
        assertLetsOut(asObject(shape), clean, purpose, '');
      }),
      { numRuns: 250 },
    );
  });

  it('pf.open of a sealed row with junk put in after sealing', async () => {
    const keys = generateKeyring();
    const keyStore = memoryKeyStore();
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, record, injections, purpose }) => {
        const fields = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, toZod(v)]));
        const schema: PurposefulSchema = defineSchema(
          'junk-row',
          z.object({
            id: z.string(),
            secret: pd(z.string(), {
              category: 'user.name',
              purposes: { 'p.one': 'clear', 'p.two': 'masked', 'p.three': 'pseudonymized' },
              encrypt: true,
            }),
            ...fields,
          }),
          { purposes: junkPurposes, recordId: 'id', unannotated: 'allow' },
        );
        const pf = createPurposeful({ purposes: junkPurposes, schemas: [schema], pseudonymKey, keys, keyStore });
        const full = { id: 'row-1', secret: 'sealed value', ...record };
        const ctx = { purpose, actor };
        const row = await pf.seal(schema, full, ctx);
        const data = inject(row, injections, ['id', 'secret']);
        const declared: Record<string, Spec> = {
          ...shape,
          id: { t: 'leaf', kind: 'string', ann: 'plain', optional: false },
          secret: {
            t: 'leaf',
            kind: 'string',
            ann: { 'p.one': 'clear', 'p.two': 'masked', 'p.three': 'pseudonymized' },
            optional: false,
          },
        };
        await check(pf.open(schema, data, ctx), declared, data, purpose);
      }),
      { numRuns: 120 },
    );
  });
});
