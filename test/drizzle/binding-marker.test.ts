import { pgTable, text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { bindTable, sealed } from '../../adapters/drizzle.js';
import { Customer } from '../../examples/support-desk/declarations.js';
import { isPurposefulError, type PurposefulSchema } from '../../src/index.js';
import { customers } from './db.js';

// The marker `purposeful check` finds bindings by, and the problem list of PF_BINDING_INVALID (no database needed).
const MARK = Symbol.for('purposeful.binding');

interface Mark {
  readonly schema: PurposefulSchema;
  readonly target: string;
  problems(): readonly string[];
}

describe('the binding marker', () => {
  it('a binding carries { schema, target, problems() } under Symbol.for("purposeful.binding"), not enumerable', () => {
    const binding = bindTable(Customer, customers);
    const mark = (binding as unknown as Record<symbol, Mark>)[MARK];
    expect(mark?.schema).toBe(Customer);
    expect(mark?.target).toBe('table customers');
    expect(mark?.problems()).toEqual([]);
    // neither a key of the binding nor in a copy of it: spreading a binding drops the marker, JSON shows none
    expect(Object.keys(binding)).toEqual(['schema', 'table', 'core']);
    expect(Object.getOwnPropertyDescriptor(binding, MARK)?.enumerable).toBe(false);
    expect(Object.isFrozen(binding)).toBe(true);
  });

  it('problems() re-runs the start-up verification over the table as it is now', () => {
    const table = pgTable('mutable', {
      id: text('id'),
      channel: text('channel'),
      name: text('name'),
      cpf: sealed('cpf'),
      bidx_cpf: text('bidx_cpf'),
      email: sealed('email'),
      accessibility: sealed('accessibility'),
    });
    const mark = (bindTable(Customer, table) as unknown as Record<symbol, Mark>)[MARK];
    expect(mark?.problems()).toEqual([]);
    // a column removed after the start (as a hot reload or a test double might): the re-run sees it
    delete (table as unknown as Record<string, unknown>).email;
    const columnsKey = Object.getOwnPropertySymbols(table).find((s) => s.description === 'drizzle:Columns');
    if (columnsKey) delete (table as unknown as Record<symbol, Record<string, unknown>>)[columnsKey]?.email;
    expect(mark?.problems()).toEqual(['encrypted field "email" has no column "email"']);
  });

  it('PF_BINDING_INVALID lists each problem, naming a field path or a column and never a value', () => {
    const wrong = pgTable('wrong', {
      id: text('id'),
      channel: text('channel'),
      name: text('name'),
      cpf: text('cpf').default('529.982.247-25'), // not sealed
      email: sealed('email'),
      accessibility: sealed('accessibility'),
    });
    let caught: unknown;
    try {
      bindTable(Customer, wrong);
    } catch (err) {
      caught = err;
    }
    expect(isPurposefulError(caught) && caught.code).toBe('PF_BINDING_INVALID');
    if (!isPurposefulError(caught)) return;
    expect(caught.schema).toBe('customer');
    expect(caught.problems.map((p) => p.message)).toEqual([
      'encrypted field "cpf": column "cpf" must be sealed("cpf")',
      'blind index "cpf" has no column "bidx_cpf"',
    ]);
    for (const p of caught.problems)
      expect(p).toMatchObject({ code: 'PF_BINDING_INVALID', severity: 'error', schema: 'customer' });
    expect(JSON.stringify(caught.toJSON())).not.toContain('529.982.247-25');
  });
});
