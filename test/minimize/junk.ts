/**
 * Junk for the outbound projection (issue 16, part 5): random schemas, valid
 * records for them, junk of any shape put at random positions, and the oracle
 * that says what an outbound answer may hold. Shared by the property test on
 * `pf.outbound` / `pf.open` and the one over HTTP on each adapter.
 *
 * Junk that carries a personal value carries {@link MARKER}; bare primitives of
 * the wrong kind carry none (the kind check is what must stop them).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { z } from 'zod';
import { definePurposes, pd } from '../../src/index.js';

export const MARKER = 'JUNK-529.982.247-25';
export const PURPOSES = ['p.one', 'p.two', 'p.three'] as const;
export type P = (typeof PURPOSES)[number];
export type Level = 'clear' | 'masked' | 'pseudonymized' | 'none';
export type Levels = Record<P, Level>;
export type Kind = 'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'enum' | 'bytes';
/** `plain`: unannotated; `none`: pd.none(); levels: pd() with a level per purpose. */
export type Ann = 'plain' | 'none' | Levels;

export type Spec =
  | { t: 'leaf'; kind: Kind; ann: Ann; optional: boolean }
  | { t: 'object'; fields: Record<string, Spec>; ann: Ann; optional: boolean }
  | { t: 'array'; element: Spec; optional: boolean }
  | { t: 'record'; value: Spec; optional: boolean };

export const junkPurposes = definePurposes(
  Object.fromEntries(
    PURPOSES.map((id) => [
      id,
      {
        description: `Purpose ${id} used by the junk property tests only`,
        legalBasis: { lgpd: 'contract' as const },
        retention: 'P1Y',
      },
    ]),
  ),
  { controller: { name: 'A', contact: 'a@example.com', dpo: { contact: 'dpo@example.com' } } },
);

const KEYS = ['a', 'b', 'c', 'd', 'e'] as const;
const levelArb = fc.constantFrom<Level>('clear', 'masked', 'pseudonymized', 'none');
const levelsArb: fc.Arbitrary<Levels> = fc
  .tuple(levelArb, levelArb, levelArb)
  .filter((ls) => ls.some((l) => l !== 'none'))
  .map(([a, b, c]) => ({ 'p.one': a, 'p.two': b, 'p.three': c }));
const kindArb = fc.constantFrom<Kind>('string', 'number', 'boolean', 'bigint', 'date', 'enum', 'bytes');

/** Specs with no annotation anywhere (what may sit inside an annotated or pd.none() value). */
const { spec: plainSpecArb } = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('leaf' as const), kind: kindArb, ann: fc.constant('plain' as const), optional: fc.boolean() }),
    fc.record({
      t: fc.constant('object' as const),
      fields: fc.dictionary(fc.constantFrom(...KEYS), tie('spec'), { minKeys: 1, maxKeys: 3 }),
      ann: fc.constant('plain' as const),
      optional: fc.boolean(),
    }),
    fc.record({ t: fc.constant('array' as const), element: tie('spec'), optional: fc.boolean() }),
    fc.record({ t: fc.constant('record' as const), value: tie('spec'), optional: fc.boolean() }),
  ),
}));

/** Any spec: annotated and pd.none() leaves and objects, plain structure around them. */
const { spec: specArb } = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      t: fc.constant('leaf' as const),
      kind: kindArb,
      ann: fc.oneof(fc.constant('plain' as const), fc.constant('none' as const), levelsArb) as fc.Arbitrary<Ann>,
      optional: fc.boolean(),
    }),
    fc.record({
      t: fc.constant('object' as const),
      fields: fc.dictionary(fc.constantFrom(...KEYS), tie('spec'), { minKeys: 1, maxKeys: 4 }),
      ann: fc.constant('plain' as const),
      optional: fc.boolean(),
    }),
    // pd.none(z.object(…)) or pd(z.object(…)): structure declared inside a leaf
    fc.record({
      t: fc.constant('object' as const),
      fields: fc.dictionary(fc.constantFrom(...KEYS), plainSpecArb, { minKeys: 1, maxKeys: 3 }),
      ann: fc.oneof(fc.constant('none' as const), levelsArb) as fc.Arbitrary<Ann>,
      optional: fc.boolean(),
    }),
    fc.record({ t: fc.constant('array' as const), element: tie('spec'), optional: fc.boolean() }),
    fc.record({ t: fc.constant('record' as const), value: tie('spec'), optional: fc.boolean() }),
  ),
}));

/** The fields of a random schema (keys a–e). */
export const shapeArb = fc.dictionary(fc.constantFrom(...KEYS), specArb, { minKeys: 1, maxKeys: 5 });

function kindZod(kind: Kind): z.ZodType {
  switch (kind) {
    case 'string':
      return z.string();
    case 'number':
      return z.number();
    case 'boolean':
      return z.boolean();
    case 'bigint':
      return z.bigint();
    case 'date':
      return z.date();
    case 'enum':
      return z.enum(['x', 'y']);
    case 'bytes':
      return z.instanceof(Uint8Array);
  }
}

function annotate(s: z.ZodType, ann: Ann): z.ZodType {
  if (ann === 'plain') return s;
  if (ann === 'none') return pd.none(s);
  const access = Object.fromEntries(Object.entries(ann).filter(([, l]) => l !== 'none'));
  return pd(s, { category: 'user.name', purposes: access as Record<string, 'clear'> });
}

export function toZod(spec: Spec): z.ZodType {
  let s: z.ZodType;
  if (spec.t === 'leaf') s = annotate(kindZod(spec.kind), spec.ann);
  else if (spec.t === 'object') {
    s = annotate(z.object(Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, toZod(v)]))), spec.ann);
  } else if (spec.t === 'array') s = z.array(toZod(spec.element));
  else s = z.record(z.string(), toZod(spec.value));
  return spec.optional ? s.optional() : s;
}

function kindValueArb(kind: Kind): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'string':
      return fc.string({ maxLength: 8 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'bigint':
      return fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n });
    case 'date':
      return fc.integer({ min: 0, max: 4_102_444_800_000 }).map((t) => new Date(t));
    case 'enum':
      return fc.constantFrom('x', 'y');
    case 'bytes':
      return fc.uint8Array({ maxLength: 4 });
  }
}

/** A valid value for a spec (record keys are plain identifiers, never data). */
export function validArb(spec: Spec): fc.Arbitrary<unknown> {
  let arb: fc.Arbitrary<unknown>;
  if (spec.t === 'leaf') arb = kindValueArb(spec.kind);
  else if (spec.t === 'object') {
    arb = fc.record(Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, validArb(v)])));
  } else if (spec.t === 'array') {
    // no undefined items: JSON has none, and a pseudonymized array refuses them
    arb = fc.array(validArb({ ...spec.element, optional: false }), { maxLength: 3 });
  } else arb = fc.dictionary(fc.constantFrom('r1', 'r2', 'r3'), validArb(spec.value), { maxKeys: 2 });
  return spec.optional ? fc.option(arb, { nil: undefined }) : arb;
}

export class Person {
  constructor(
    readonly first: string,
    readonly cpf: string,
    readonly health: string,
  ) {}
  toJSON(): unknown {
    return { first: this.first, cpf: this.cpf, health: this.health };
  }
  toString(): string {
    return this.cpf;
  }
}

/** Junk makers: every one builds a fresh value (junk is mutated into records, so it is never shared). */
const JUNK: ReadonlyArray<(extra: Record<string, unknown>) => unknown> = [
  (o) => ({ ...o, first: 'x', cpf: MARKER }),
  () => ['x', { cpf: MARKER }],
  () => [[{ cpf: MARKER }]],
  () => new Person('x', MARKER, MARKER),
  () => Object.assign(new Date(0), { cpf: MARKER, toJSON: () => MARKER }),
  () => Object.assign(Uint8Array.of(1, 2), { cpf: MARKER }),
  () => new String(MARKER),
  () => new Number(7),
  () => new Map([[MARKER, MARKER]]),
  () => new Set([MARKER]),
  () => Object.assign(Object.create(null) as object, { cpf: MARKER }),
  () => Object.create({ cpf: MARKER }) as object,
  () => Object.create(Date.prototype, { cpf: { value: MARKER, enumerable: true } }) as object,
  () => Object.assign(() => MARKER, { cpf: MARKER }),
  () => /529\.982/,
  () => new Error(MARKER),
  () => Promise.resolve(MARKER),
  () => 'junk-string',
  () => 7,
  () => Number.NaN,
  () => false,
  () => 3n,
  () => Symbol('junk'),
];

/** A piece of junk of any shape (JSON-safe only: what can also travel over HTTP as a returned value). */
export const junkArb = (jsonOnly = false): fc.Arbitrary<() => unknown> =>
  fc
    .tuple(fc.nat({ max: JUNK.length - 1 }), fc.object({ maxDepth: 1, maxKeys: 3 }))
    .filter(([i]) => !jsonOnly || ![13, 16, 22].includes(i)) // a function, a promise, a symbol
    .map(
      ([i, o]) =>
        () =>
          (JUNK[i] as (o: Record<string, unknown>) => unknown)(o),
    );

/** Where junk goes: `replace` a value at a position, or add an `extra` key to an object there. */
export interface Injection {
  readonly at: number;
  readonly how: 'replace' | 'extra';
  readonly junk: () => unknown;
}
export const injectionsArb = (jsonOnly = false): fc.Arbitrary<Injection[]> =>
  fc.array(fc.record({ at: fc.nat(), how: fc.constantFrom('replace' as const, 'extra' as const), junk: junkArb(jsonOnly) }), {
    minLength: 1,
    maxLength: 3,
  });

/** Every (container, key) of the plain objects and arrays of a value, root keys included (not the root itself). */
function positions(root: Record<string, unknown>, skip: ReadonlySet<string>): Array<{ c: Record<string, unknown>; k: string }> {
  const out: Array<{ c: Record<string, unknown>; k: string }> = [];
  const visit = (c: Record<string, unknown>, top: boolean) => {
    for (const k of Object.keys(c)) {
      if (top && skip.has(k)) continue;
      out.push({ c, k });
      const v = c[k];
      if (typeof v === 'object' && v !== null && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype)) {
        visit(v as Record<string, unknown>, false);
      }
    }
  };
  visit(root, true);
  return out;
}

/** A copy of `record` with the junk put in (never at the top-level keys in `skip`). */
export function inject(record: Record<string, unknown>, injections: readonly Injection[], skip: readonly string[] = []) {
  const copy = structuredClone(record);
  const places = positions(copy, new Set(skip));
  for (const { at, how, junk } of injections) {
    if (how === 'extra' || places.length === 0) {
      const containers = [copy, ...places.map((p) => p.c[p.k])].filter(
        (v): v is Record<string, unknown> =>
          typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype,
      );
      const target = containers[at % containers.length] as Record<string, unknown>;
      target[target === copy ? 'zz' : 'cpf'] = junk();
    } else {
      const p = places[at % places.length] as { c: Record<string, unknown>; k: string };
      p.c[p.k] = junk();
    }
  }
  return copy;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function isRealDate(v: unknown): boolean {
  try {
    Date.prototype.getTime.call(v as Date);
    return true;
  } catch {
    return false;
  }
}

/** Whether a value is of a leaf's declared kind. */
export function kindOk(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string':
    case 'enum':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'bigint':
      return typeof v === 'bigint';
    case 'date':
      return isRealDate(v);
    case 'bytes':
      return ArrayBuffer.isView(v) && v instanceof Uint8Array;
  }
}

/** Whether a purpose gets anything of a spec (a structure whose fields are all hidden is hidden). */
export function visible(spec: Spec, p: P): boolean {
  if ((spec.t === 'leaf' || spec.t === 'object') && typeof spec.ann === 'object') return spec.ann[p] !== 'none';
  if (spec.t === 'leaf' || (spec.t === 'object' && spec.ann === 'none')) return true;
  if (spec.t === 'object') return Object.values(spec.fields).some((f) => visible(f, p));
  return visible(spec.t === 'array' ? spec.element : spec.value, p);
}

/** Whether the junk in `v` sits where the purpose sees it, in a structure or kind the schema does not declare: then it must be refused. */
export function mustRefuse(spec: Spec, v: unknown, p: P): boolean {
  if (v === null || v === undefined || !visible(spec, p)) return false;
  if (spec.t === 'leaf') return !kindOk(spec.kind, v);
  if (spec.t === 'object') {
    if (typeof v !== 'object' || Array.isArray(v)) return true;
    const inner = (f: Spec) => (spec.ann === 'plain' ? f : { ...f, ann: 'plain' as const });
    return Object.entries(spec.fields).some(([k, f]) => mustRefuse(inner(f), (v as Record<string, unknown>)[k], p));
  }
  if (spec.t === 'array') return !Array.isArray(v) || Array.from(v).some((x) => mustRefuse(spec.element, x, p));
  return !isPlain(v) || Object.values(v).some((x) => mustRefuse(spec.value, x, p));
}

/** Whether the spec of a root field is a record: its keys come out as declared (any key), so an `extra` key there is data. */
export type Serialized = 'object' | 'json';

/**
 * Asserts that an outbound answer holds nothing the declaration does not let out:
 * only declared, visible keys; at each leaf a value of its kind at its level;
 * no junk marker in a string, except under a record (a record declares any key,
 * so a plain object of strings put there is data of the declared shape).
 * `json`: the answer went through JSON (dates are strings).
 */
export function assertLetsOut(spec: Spec, out: unknown, p: P, path: string, how: Serialized = 'object', inRecord = false): void {
  if (out === null || out === undefined) return;
  if (path !== '') expect(visible(spec, p), `${path} is not visible to ${p}`).toBe(true); // the root is never hidden
  const level: Level = (spec.t === 'leaf' || spec.t === 'object') && typeof spec.ann === 'object' ? spec.ann[p] : 'clear';
  if (level === 'masked') {
    expect(typeof out, path).toBe('string');
    return;
  }
  if (level === 'pseudonymized') {
    expect(out, path).toMatch(/^pn_[A-Za-z0-9_-]{24}$/);
    return;
  }
  if (spec.t === 'leaf') {
    if (typeof out === 'string' && !inRecord) expect(out.includes(MARKER), `${path}: junk went out`).toBe(false);
    if (how === 'json') {
      const kinds: Record<Kind, string> = {
        string: 'string',
        enum: 'string',
        number: 'number',
        boolean: 'boolean',
        bigint: 'string',
        date: 'string',
        bytes: 'object',
      };
      expect(typeof out, `${path}: kind after JSON`).toBe(kinds[spec.kind]);
      if (spec.kind === 'bytes')
        for (const [k, b] of Object.entries(out as object)) expect([k, typeof b], path).toEqual([k, 'number']);
      return;
    }
    expect(kindOk(spec.kind, out), `${path}: a ${spec.kind} is declared`).toBe(true);
    if (spec.kind === 'date') {
      expect(Object.getPrototypeOf(out), path).toBe(Date.prototype);
      expect(Reflect.ownKeys(out as object), `${path}: a fresh Date`).toEqual([]);
    }
    if (spec.kind === 'bytes') {
      expect(Object.getPrototypeOf(out), path).toBe(Uint8Array.prototype);
      expect(
        Reflect.ownKeys(out as object).every((k) => typeof k === 'string' && /^\d+$/.test(k)),
        `${path}: fresh bytes`,
      ).toBe(true);
    }
    return;
  }
  if (spec.t === 'array') {
    expect(Array.isArray(out) && Object.getPrototypeOf(out) === Array.prototype, `${path}: an array`).toBe(true);
    for (const [i, x] of (out as unknown[]).entries()) assertLetsOut(spec.element, x, p, `${path}[${i}]`, how, inRecord);
    return;
  }
  expect(Object.getPrototypeOf(out), `${path}: a plain object`).toBe(Object.prototype);
  for (const k of Reflect.ownKeys(out as object)) {
    expect(typeof k, `${path}: a symbol key`).toBe('string');
    const x = (out as Record<string, unknown>)[k as string];
    if (spec.t === 'record') {
      assertLetsOut(spec.value, x, p, `${path}{}`, how, true);
      continue;
    }
    const child = Object.hasOwn(spec.fields, k) ? spec.fields[k as string] : undefined;
    expect(child, `${path}.${String(k)} is not declared`).toBeDefined();
    const inner = spec.ann === 'plain' ? (child as Spec) : ({ ...(child as Spec), ann: 'plain' } as Spec);
    assertLetsOut(inner, x, p, `${path}.${String(k)}`, how, inRecord);
  }
}

/**
 * Asserts that no string, key or property anywhere in a value (own, inherited
 * data or not enumerable) carries the marker: for answers whose schema holds no
 * record (see {@link assertLetsOut}) and for errors.
 */
export function assertNoMarker(v: unknown, seen = new Set<unknown>()): void {
  if (typeof v === 'string') {
    expect(v.includes(MARKER), 'junk went out').toBe(false);
    return;
  }
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) return;
  seen.add(v);
  for (const k of Reflect.ownKeys(v)) {
    if (typeof k === 'string') assertNoMarker(k, seen);
    const d = Object.getOwnPropertyDescriptor(v, k);
    if (d && 'value' in d) assertNoMarker(d.value, seen);
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== null && ![Object.prototype, Array.prototype, Date.prototype, Uint8Array.prototype].includes(proto)) {
    assertNoMarker(proto, seen);
  }
}
