import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callStart, firstArgumentKeys, schemaFieldKey } from '../../src/cli/positions.js';

// The source scanning behind the CLI's positions (the end-to-end positions are in cli.test.ts): where a call
// starts, and where each purpose's key sits in the object literal given to definePurposes.

describe('callStart: the start of the call a frame or a source map points at', () => {
  const cases: [string, string][] = [
    // source, with ^ where the position lands and | where the call starts
    ['x = |p^d(a)', 'identifier'],
    ['x = |pd^(a)', 'argument list (a transpiled call maps there)'],
    ['x = |pd.no^ne(a)', 'member call: V8 points at the property'],
    ['x = |pf . pd ^(a)', 'spaces around the dot and before the paren'],
    ['x = |pf?.pd^(a)', 'optional chaining'],
    ['x = |definePurposes<{ a: 1 }, B<C>>^({})', 'type arguments'],
    ['x = |f<(a: string) => void>^(g)', 'an arrow inside type arguments'],
    ['x = <T>|pd^(a)', 'an angle-bracket assertion before the call'],
    ['x = (await import("p")).|definePurposes^({})', 'a callee that is not a dotted name: the called name'],
    ['return |pd^(a)', 'a keyword before the callee is not part of it'],
    ['[...|pd^(a)]', 'a spread before the callee is not part of it'],
  ];
  it.each(cases)('%s (%s)', (marked) => {
    const source = marked.replace('^', '').replace('|', '');
    const at = marked.replace('|', '').indexOf('^');
    const start = marked.replace('^', '').indexOf('|');
    expect(callStart(source, at)).toBe(start);
  });

  it('is undefined where there is no call', () => {
    expect(callStart('x = 1 + 2', 4)).toBeUndefined();
    expect(callStart('x = (1)', 4)).toBeUndefined();
  });
});

describe('firstArgumentKeys: each key of the literal, whatever the values hold', () => {
  // values that hide brackets, commas and quotes from a naive scan
  const values = [
    "'a}b,c{'",
    '"it\'s { , }"',
    `\`x \${ { a: "}" }.a } , y\``, // a template literal with a substitution
    '/[}{,]/g',
    '/ab\\/}/.source',
    "{ nested: { deep: [1, 2, '}'] }, more: ')' }",
    '() => ({ a: 1 })',
    '<T,>(x: T) => { return x; }',
    'total / 2 / 3',
    'a < b ? c : d',
    "z.string() as never satisfies { readonly x: '}' }",
    "// a comment with } and ,\n    'P1Y'",
    "/* } , { */ 'P2Y'",
    "{ legalBasis: { lgpd: 'consent' }, retention: 'P1Y' }",
  ];
  const key = fc.stringMatching(/^[a-z]{1,8}(?:\.[a-z_]{1,8}){0,2}$/);
  const entry = fc.record({
    key,
    quote: fc.constantFrom("'", '"', ''),
    value: fc.constantFrom(...values),
    sep: fc.constantFrom(' ', '\n  ', '\r\n  ', ' /* , } */ ', ' // }\n  '),
    junk: fc.constantFrom('', '...spread, ', '[computed]: 1, ', 'method() { return "}"; }, ', 'shorthand, '),
  });

  it('finds every key at its offset (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { selector: (e) => e.key, minLength: 1, maxLength: 6 }),
        fc.constantFrom('definePurposes(', 'definePurposes<{ a: 1 }>(', 'pf . definePurposes /* c */ ('),
        (entries, callee) => {
          let source = `export const p = ${callee}{`;
          const expected = new Map<string, number>();
          for (const e of entries) {
            source += e.sep + e.junk;
            // a key that is not a valid identifier must be quoted
            const quote = e.quote === '' && e.key.includes('.') ? "'" : e.quote;
            expected.set(e.key, source.length);
            source += `${quote}${e.key}${quote}:${e.sep}${e.value},`;
          }
          source += '\n}, { controller });';
          const keys = firstArgumentKeys(source, source.indexOf(callee.startsWith('pf') ? 'pf' : 'definePurposes'));
          expect(keys).toEqual(expected);
        },
      ),
    );
  });

  it('gives nothing when the first argument is not an object literal', () => {
    expect(firstArgumentKeys('definePurposes(declarations)', 0).size).toBe(0);
    expect(firstArgumentKeys('definePurposes', 0).size).toBe(0);
  });
});

describe('schemaFieldKey: an unannotated field at its key in the defineSchema literal', () => {
  const source = [
    "export const Ticket = defineSchema('ticket', z",
    '  .object({',
    '    id: pd.none(z.uuid()), // a comment with priority: in it',
    "    'x-y': z.string(),",
    '    address: z.object({ city: pd(z.string(), meta), note: z.string() }).optional(),',
    '    priority: z.number(),',
    '  }),',
    '  { purposes },',
    ');',
  ].join('\n');
  const call = source.indexOf('defineSchema');
  const at = (needle: string) => source.indexOf(needle);

  it('finds top-level and nested keys, past comments and strings', () => {
    expect(schemaFieldKey(source, call, 'priority')).toBe(at('priority: z.number()'));
    expect(schemaFieldKey(source, call, 'address.note')).toBe(at('note: z.string()'));
    expect(schemaFieldKey(source, call, 'address')).toBe(at('address:'));
  });

  it('stops at the deepest key it can follow, and gives nothing when the shape is not a literal there', () => {
    expect(schemaFieldKey(source, call, 'address.missing')).toBe(at('address:'));
    expect(schemaFieldKey(source, call, 'tags[].label')).toBeUndefined();
    expect(schemaFieldKey("defineSchema('ticket', shape, { purposes })", 0, 'priority')).toBeUndefined();
    expect(schemaFieldKey('defineSchema(', 0, 'priority')).toBeUndefined();
  });
});
