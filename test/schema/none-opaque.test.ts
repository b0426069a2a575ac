/**
 * A value declared not personal (pd.none()) that accepts any value (z.any(), z.unknown(), a loose object, a record
 * of unknown) lets arbitrary keys and values in: it is reported as PF_DECL_OPAQUE_FIELD, a warning, so that
 * `purposeful check --strict` fails on it, while a pd.none() value of a declared shape is not.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPurposeful, defineSchema, pd } from '../../src/index.js';
import { purposes } from '../helpers/fixtures.js';

const opaque = (value: z.ZodType) => defineSchema('prefs', z.object({ id: pd.none(z.string()), prefs: value }), { purposes });
const reported = (value: z.ZodType) => opaque(value).problems.map((p) => [p.code, p.path, p.severity]);

describe('pd.none() over a value that accepts anything', () => {
  it.for([
    ['a loose object', () => pd.none(z.looseObject({ theme: z.string().optional() }))],
    ['an object with a catchall', () => pd.none(z.object({ theme: z.string() }).catchall(z.string()))],
    ['z.any()', () => pd.none(z.any())],
    ['z.unknown()', () => pd.none(z.unknown().optional())],
    ['a record of unknown', () => pd.none(z.record(z.string(), z.unknown()))],
    ['z.any() nested in a declared object', () => pd.none(z.object({ meta: z.array(z.object({ extra: z.any() })) }))],
    ['a transform over z.unknown()', () => pd.none(z.unknown().transform((v) => String(v)))],
  ] as const)('%s is reported as a warning at the field', ([, make]) => {
    expect(reported(make())).toEqual([['PF_DECL_OPAQUE_FIELD', 'prefs', 'warning']]);
    const [p] = opaque(make()).problems;
    expect(p?.message).toContain('pd.none()');
    expect(p?.message).toContain('undeclared personal data');
  });

  it.for([
    ['a declared object', () => pd.none(z.object({ theme: z.string(), flags: z.array(z.boolean()) }))],
    ['a strict object', () => pd.none(z.strictObject({ theme: z.string() }))],
    ['a string', () => pd.none(z.string())],
    ['a preprocessed declared object', () => pd.none(z.preprocess((v) => v, z.object({ theme: z.string() })))],
    ['a record of strings keyed by an enum', () => pd.none(z.record(z.enum(['a', 'b']), z.string()))],
  ] as const)('%s is not reported', ([, make]) => {
    expect(reported(make())).toEqual([]);
  });

  it('the reported field is the one that lets undeclared keys in at run time', async () => {
    const S = opaque(pd.none(z.looseObject({ theme: z.string().optional() })));
    const pf = createPurposeful({ purposes, schemas: [S] });
    const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7' } } as const;
    // what the warning is about: inbound keeps the extra key (it was declared not personal, with any keys)
    expect(await pf.inbound(S, { id: '1', prefs: { cpf: '529.982.247-25' } }, ctx)).toEqual({
      id: '1',
      prefs: { cpf: '529.982.247-25' },
    });
    expect(S.problems.map((p) => p.code)).toEqual(['PF_DECL_OPAQUE_FIELD']);
    expect(S.problems[0]?.message).not.toContain('529');
  });
});
