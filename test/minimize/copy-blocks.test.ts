// Outbound objects are copied eight fields at a time by a pool of distinct
// function copies. A process that compiles more objects than the pool holds
// shares copies between them, with the same keys or with others: what goes out
// must not depend on which copy an object got, nor on what else shares it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSchema, isPurposefulError, minimize, pd } from '../../src/index.js';
import { purposes } from '../helpers/fixtures.js';

const both = () => pd(z.string(), { category: 'user.name', purposes: ['support.ticket', 'billing.invoice'] });
const ticketOnly = () => pd(z.string(), { category: 'user.contact.email', purposes: ['support.ticket'] });

/** Sub-objects: many more than the pool holds, half of them with the same keys, half with keys of their own. */
const WIDE = 40;
const shape: Record<string, z.ZodType> = {};
for (let i = 0; i < WIDE; i++) {
  shape[`o${i}`] =
    i % 2 === 0
      ? z.object({ [`a${i}`]: both(), [`b${i}`]: ticketOnly(), n: pd.none(z.number()) })
      : z.object({ city: both(), state: ticketOnly() });
}
const Wide = defineSchema('wide', z.object(shape), { purposes });

function record(): Record<string, Record<string, unknown>> {
  const r: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < WIDE; i++) {
    r[`o${i}`] =
      i % 2 === 0 ? { [`a${i}`]: `a${i}`, [`b${i}`]: `b${i}`, n: i, extra: 'x' } : { city: `c${i}`, state: `s${i}`, extra: 'x' };
  }
  return r;
}

function expected(purpose: 'support.ticket' | 'billing.invoice'): Record<string, Record<string, unknown>> {
  const r: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < WIDE; i++) {
    const ticket = purpose === 'support.ticket';
    r[`o${i}`] =
      i % 2 === 0
        ? { [`a${i}`]: `a${i}`, ...(ticket ? { [`b${i}`]: `b${i}` } : {}), n: i }
        : { city: `c${i}`, ...(ticket ? { state: `s${i}` } : {}) };
  }
  return r;
}

function outputError(fn: () => unknown): readonly string[] | undefined {
  try {
    fn();
  } catch (err) {
    if (isPurposefulError(err) && err.code === 'PF_OUTPUT_INVALID') return err.paths;
    throw err;
  }
  return undefined;
}

describe('outbound objects past the pool of copies', () => {
  it('every object of every plan goes out as declared, in both orders of first use', () => {
    for (const purpose of ['billing.invoice', 'support.ticket', 'billing.invoice'] as const) {
      const out = minimize(Wide, purpose, record(), { direction: 'outbound' });
      expect(out).toEqual(expected(purpose));
      expect(JSON.stringify(out)).not.toContain('extra');
    }
  });

  it('a value of the wrong kind in any object is refused, naming its path', () => {
    for (const i of [0, 1, WIDE - 2, WIDE - 1]) {
      const r = record();
      const key = i % 2 === 0 ? `a${i}` : 'city';
      (r[`o${i}`] as Record<string, unknown>)[key] = { nested: true };
      expect(outputError(() => minimize(Wide, 'support.ticket', r, { direction: 'outbound' }))).toEqual([`o${i}.${key}`]);
      expect(outputError(() => minimize(Wide, 'billing.invoice', r, { direction: 'outbound' }))).toEqual([`o${i}.${key}`]);
    }
  });
});

describe('objects with keys named like Object.prototype members', () => {
  const Guarded = defineSchema(
    'guarded',
    z.object({ name: both(), constructor: pd.none(z.string()).optional(), valueOf: pd.none(z.number()).optional() }),
    { purposes },
  );

  it('copy such a key only when it is own, and check its kind', () => {
    expect(minimize(Guarded, 'support.ticket', { name: 'n' }, { direction: 'outbound' })).toEqual({ name: 'n' });
    expect(minimize(Guarded, 'support.ticket', { name: 'n', constructor: 'c', valueOf: 1 }, { direction: 'outbound' })).toEqual({
      name: 'n',
      constructor: 'c',
      valueOf: 1,
    });
    expect(
      outputError(() => minimize(Guarded, 'support.ticket', { name: 'n', valueOf: 'one' }, { direction: 'outbound' })),
    ).toEqual(['valueOf']);
    expect(outputError(() => minimize(Guarded, 'support.ticket', { name: 7 }, { direction: 'outbound' }))).toEqual(['name']);
  });
});
