/**
 * Outbound minimization of a 20-field nested record (see fixtures.ts), side by
 * side in one tinybench run with the peers doing the equivalent job:
 *
 * - purposeful  `minimize(schema, purpose, record, { direction: 'outbound' })`
 * - hand-written: an object literal built from the known keys (the same mask functions)
 * - fast-redact 3.5, configured with the hidden paths
 * - @pinojs/redact 0.4, configured with the hidden paths
 * - zod 4 strip parse of a schema holding only the visible fields
 *
 * Four groups: {masked, projection-only} scenario × {object, JSON string}
 * output. Before timing, every contestant's output is checked (after a JSON
 * round trip) to be deep-equal to every other's, so all do the same work.
 *
 * Timing: each tinybench iteration runs BATCH calls between two `bench.now()`
 * reads and reports the per-call mean (`overriddenDuration`), so the timer's
 * own cost (comparable to a sub-microsecond call) does not flatten the ratios.
 * Every contestant is called through the same wrapper, i.e. once per call
 * through a non-inlined function boundary, as a route handler would.
 * ops/s = 1000 / mean latency (ms), i.e. total calls / total time, GC included.
 */
import { deepStrictEqual } from 'node:assert';
import pinoRedact from '@pinojs/redact';
import fastRedact from 'fast-redact';
import { Bench, type FnReturnedObject } from 'tinybench';
import { z } from 'zod';
import { minimize } from '../../src/index.js';
import {
  type BenchPurpose,
  type Customer,
  CustomerRecord,
  HIDDEN_PATHS,
  MASKED_PATHS,
  makeRecord,
  maskCpf,
  maskEmail,
} from './fixtures.js';
import { fmtOps, fmtRatio, printTable } from './table.js';

/** Calls per tinybench sample. */
const BATCH = 64;
/** Time budget per task (ms) and warmup budget (ms). */
const TIME = 1000;
const WARMUP_TIME = 250;

/** Results land here so the calls are never dead code. */
let sink: unknown;

// ───────────────────────────── contestants ─────────────────────────────

/** purposeful: the public API, options literal per call as users write it. */
const purposefulObject = (purpose: BenchPurpose) => (record: Customer) =>
  minimize(CustomerRecord, purpose, record, { direction: 'outbound' });

/** Hand-written projections: literally the output object, the same compiled masks purposeful uses. */
const handWritten: Record<BenchPurpose, (r: Customer) => unknown> = {
  'support.ticket': (r: Customer) => ({
    id: r.id,
    status: r.status,
    createdAt: r.createdAt,
    name: r.name,
    cpf: maskCpf(r.cpf),
    email: maskEmail(r.email),
    address: { city: r.address.city, state: r.address.state },
    contact: {
      preferredChannel: r.contact.preferredChannel,
      marketingOptIn: r.contact.marketingOptIn,
      locale: r.contact.locale,
    },
    orders: r.orders.map((o) => ({ id: o.id, placedAt: o.placedAt, total: o.total })),
  }),
  'support.triage': (r: Customer) => ({
    id: r.id,
    status: r.status,
    createdAt: r.createdAt,
    name: r.name,
    email: r.email,
    address: { city: r.address.city, state: r.address.state },
    contact: {
      preferredChannel: r.contact.preferredChannel,
      marketingOptIn: r.contact.marketingOptIn,
      locale: r.contact.locale,
    },
    orders: r.orders.map((o) => ({ id: o.id, placedAt: o.placedAt, total: o.total })),
  }),
};

/**
 * The censor of the masked scenario: hidden paths become `undefined` (dropped
 * by JSON.stringify, like `remove: true`), masked paths get their mask.
 * @pinojs/redact uses it for all its paths; fast-redact for the masked paths
 * only (see fastRedactors). The masked paths are top-level here, so the
 * dispatch looks at a one-segment path only (cheaper than joining the path).
 */
function censorFor(purpose: BenchPurpose): (value: unknown, path: readonly string[]) => unknown {
  const masks = MASKED_PATHS[purpose];
  return (value, path) => {
    const mask = path.length === 1 ? masks[path[0] as string] : undefined;
    return mask ? mask(value) : undefined;
  };
}

/** Every path a redactor must touch for a purpose: hidden ones and masked ones. */
function redactPaths(purpose: BenchPurpose): string[] {
  return [...HIDDEN_PATHS[purpose], ...Object.keys(MASKED_PATHS[purpose])];
}

const hasMasks = (purpose: BenchPurpose) => Object.keys(MASKED_PATHS[purpose]).length > 0;

/**
 * A plain deep clone of JSON-like data, the equivalent of rfdc's default mode
 * (rfdc is what fast-redact's README points to for copying; it is not installed).
 * Measured faster than `structuredClone` on this record, so it is the fairer
 * choice for fast-redact.
 */
function clone(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const a = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) a[i] = clone(v[i]);
    return a;
  }
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) if (Object.hasOwn(src, k)) out[k] = clone(src[k]);
  return out;
}

/**
 * fast-redact for a purpose: one redactor for the hidden paths (censor
 * `undefined`) and, when the purpose has masked fields, a second one for the
 * masked paths (a censor function dispatching on the path).
 *
 * Why two: a single redactor with a censor function that returns `undefined`
 * for hidden paths silently does NOT redact wildcard paths (fast-redact 3.5
 * lib/modifiers.js skips a nested wildcard target when the censor is a
 * function and returns `undefined`), so `orders[*].cardLast4` would leak. The
 * equivalence check caught it. And `remove: true` needs the JSON serializer,
 * so it is only usable for the JSON output of the projection-only scenario.
 */
function fastRedactors(purpose: BenchPurpose, serializeMasked: boolean) {
  const hide = fastRedact({ paths: [...HIDDEN_PATHS[purpose]], censor: undefined, serialize: false });
  const maskedPaths = Object.keys(MASKED_PATHS[purpose]);
  const mask =
    maskedPaths.length === 0
      ? undefined
      : serializeMasked
        ? fastRedact({ paths: maskedPaths, censor: censorFor(purpose) })
        : fastRedact({ paths: maskedPaths, censor: censorFor(purpose), serialize: false });
  return { hide, mask };
}

/**
 * fast-redact, object output. fast-redact mutates its input and, with
 * `serialize: false`, hands back that same (mutated) object plus a `restore()`
 * for it. The honest equivalent of "give me an independent minimized object,
 * leave the record intact" is: redact in place → deep-copy the redacted record
 * → restore the record. (Cloning first and redacting the clone without ever
 * restoring is not an option: with wildcard paths fast-redact accumulates
 * restore state per call until `restore()` runs.) Hidden keys stay in the copy
 * holding `undefined`, which JSON drops.
 */
function fastRedactObject(purpose: BenchPurpose): (r: Customer) => unknown {
  const { hide, mask } = fastRedactors(purpose, false);
  if (!mask) {
    return (r) => {
      hide(r);
      const out = clone(r);
      hide.restore(r);
      return out;
    };
  }
  return (r) => {
    hide(r);
    mask(r);
    const out = clone(r);
    mask.restore(r);
    hide.restore(r);
    return out;
  };
}

/**
 * fast-redact in place + restore, NO output object: a reference row only (not
 * equal work: the caller gets nothing it may keep). It bounds how much of the
 * row above is the copy. Excluded from the targets.
 */
function fastRedactInPlace(purpose: BenchPurpose): (r: Customer) => unknown {
  const { hide, mask } = fastRedactors(purpose, false);
  return (r) => {
    hide(r);
    mask?.(r);
    const probe = r.address; // something to hand out while the record is redacted
    mask?.restore(r);
    hide.restore(r);
    return probe;
  };
}

/**
 * fast-redact, JSON output: its default mode (mutate, JSON.stringify, restore).
 * Projection only: one redactor with `remove: true`. Masked: the hidden-path
 * redactor mutates, the masked-path one (default serializer) stringifies and
 * restores its own paths, then the hidden paths are restored.
 */
function fastRedactJson(purpose: BenchPurpose): (r: Customer) => unknown {
  const { hide, mask } = fastRedactors(purpose, true);
  if (!mask) {
    const redact = fastRedact({ paths: [...HIDDEN_PATHS[purpose]], remove: true });
    return (r) => redact(r);
  }
  return (r) => {
    hide(r);
    const json = mask(r);
    hide.restore(r);
    return json;
  };
}

/**
 * @pinojs/redact: never mutates; clones only the branches on redacted paths and
 * shares the rest. Projection-only scenario: `remove: true`. Masked scenario:
 * the same censor as fast-redact (`remove` and a censor exclude each other).
 * With `serialize: false` the output carries a `restore` function property
 * (dropped by JSON, ignored by the equality check).
 */
function pinoRedactor(purpose: BenchPurpose, serialize: boolean): (r: Customer) => unknown {
  const paths = redactPaths(purpose);
  const base = hasMasks(purpose) ? { paths, censor: censorFor(purpose) as (v: unknown) => unknown } : { paths, remove: true };
  const redact = serialize ? pinoRedact(base) : pinoRedact({ ...base, serialize: false });
  return (r) => redact(r);
}

/** zod strip parse: a schema of the visible fields only (masked ones through a transform). */
function zodStrip(purpose: BenchPurpose): (r: Customer) => unknown {
  const masks = MASKED_PATHS[purpose];
  const masked = (mask: ((v: unknown) => string) | undefined) => (mask ? z.string().transform((v) => mask(v)) : z.string());
  const common = {
    id: z.string(),
    status: z.enum(['active', 'suspended', 'closed']),
    createdAt: z.string(),
    name: z.string(),
    address: z.object({ city: z.string(), state: z.string() }),
    contact: z.object({ preferredChannel: z.enum(['email', 'phone', 'chat']), marketingOptIn: z.boolean(), locale: z.string() }),
    orders: z.array(z.object({ id: z.string(), placedAt: z.string(), total: z.number() })),
  };
  const schema =
    purpose === 'support.ticket'
      ? z.object({ ...common, cpf: masked(masks.cpf), email: masked(masks.email) })
      : z.object({ ...common, email: z.string() });
  return (r) => schema.parse(r);
}

// ───────────────────────────── the run ─────────────────────────────

interface Entry {
  group: string;
  contestant: string;
  /** Excluded from targets (not equal work). */
  reference?: boolean;
  fn: (r: Customer) => unknown;
}

const SCENARIOS: ReadonlyArray<{ purpose: BenchPurpose; label: string }> = [
  { purpose: 'support.ticket', label: 'masked (2 masked, 6 hidden leaves)' },
  { purpose: 'support.triage', label: 'projection only (0 masked, 7 hidden leaves)' },
];

const PURPOSEFUL = 'purposeful';
const HAND = 'hand-written';
const FAST = 'fast-redact';
const FAST_REF = 'fast-redact in place (ref, no copy)';
const PINO = '@pinojs/redact';
const ZOD = 'zod strip parse';

function entries(): Entry[] {
  const out: Entry[] = [];
  for (const { purpose, label } of SCENARIOS) {
    const obj = `${label} · object`;
    const json = `${label} · JSON string`;
    const pf = purposefulObject(purpose);
    const hand = handWritten[purpose];
    const zod = zodStrip(purpose);
    out.push(
      { group: obj, contestant: PURPOSEFUL, fn: pf },
      { group: obj, contestant: HAND, fn: hand },
      { group: obj, contestant: FAST, fn: fastRedactObject(purpose) },
      { group: obj, contestant: FAST_REF, reference: true, fn: fastRedactInPlace(purpose) },
      { group: obj, contestant: PINO, fn: pinoRedactor(purpose, false) },
      { group: obj, contestant: ZOD, fn: zod },
      { group: json, contestant: PURPOSEFUL, fn: (r) => JSON.stringify(pf(r)) },
      { group: json, contestant: HAND, fn: (r) => JSON.stringify(hand(r)) },
      { group: json, contestant: FAST, fn: fastRedactJson(purpose) },
      { group: json, contestant: PINO, fn: pinoRedactor(purpose, true) },
      { group: json, contestant: ZOD, fn: (r) => JSON.stringify(zod(r)) },
    );
  }
  return out;
}

/** Asserts every (non-reference) contestant of a group produces the same logical output. */
function assertEquivalent(list: Entry[], record: Customer, pristine: Customer): void {
  const normal = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : JSON.parse(JSON.stringify(v)));
  const groups = new Map<string, Entry[]>();
  for (const e of list) groups.set(e.group, [...(groups.get(e.group) ?? []), e]);
  for (const [group, es] of groups) {
    const expected = normal((es.find((e) => e.contestant === PURPOSEFUL) as Entry).fn(record));
    for (const e of es) {
      if (e.reference) continue;
      deepStrictEqual(normal(e.fn(record)), expected, `${group}: ${e.contestant} differs from purposeful`);
      deepStrictEqual(record, pristine, `${group}: ${e.contestant} left the record changed`);
    }
  }
  // the reference row redacts the same paths: check what it exposes while redacted
  for (const { purpose } of SCENARIOS) {
    const { hide, mask } = fastRedactors(purpose, false);
    hide(record);
    mask?.(record);
    const seen = JSON.parse(JSON.stringify(record));
    mask?.restore(record);
    hide.restore(record);
    deepStrictEqual(seen, normal(purposefulObject(purpose)(record)), `fast-redact in place (${purpose}) differs`);
    deepStrictEqual(record, pristine, 'fast-redact restore left the record changed');
  }
}

interface Row {
  group: string;
  contestant: string;
  reference: boolean;
  ops: number;
  rme: number;
  p50ns: number;
}

function printGroup(group: string, rows: Row[]): void {
  const hand = rows.find((r) => r.contestant === HAND)?.ops ?? Number.NaN;
  const pf = rows.find((r) => r.contestant === PURPOSEFUL)?.ops ?? Number.NaN;
  const header = ['contestant', 'ops/s', '± rme', 'p50/call', 'vs hand-written', 'vs purposeful'];
  const body = rows.map((r) => [
    r.contestant,
    fmtOps(r.ops),
    `${r.rme.toFixed(1)}%`,
    `${r.p50ns.toFixed(0)} ns`,
    fmtRatio(r.ops / hand),
    fmtRatio(r.ops / pf),
  ]);
  printTable(`${group}`, header, body);
}

function checkTargets(rows: Row[]): boolean {
  const ops = (name: string) => rows.find((r) => r.contestant === name)?.ops ?? Number.NaN;
  const pf = ops(PURPOSEFUL);
  const vsHand = pf / ops(HAND);
  const vsFast = pf / ops(FAST);
  const okHand = vsHand >= 0.5;
  const okFast = vsFast > 1;
  console.log(
    `  targets: purposeful ≥ 0.5× hand-written: ${okHand ? 'MET' : 'MISSED'} (${vsHand.toFixed(3)}×); ` +
      `purposeful > fast-redact: ${okFast ? 'MET' : 'MISSED'} (${vsFast.toFixed(3)}×)`,
  );
  return okHand && okFast;
}

/** Runs the minimization benchmark and prints its tables. Never throws on a missed target. */
export async function runMinimizeBench(): Promise<void> {
  const record = makeRecord();
  const pristine = makeRecord();
  const list = entries();
  assertEquivalent(list, record, pristine);
  console.log(
    `\n## minimize: outbound, 20-leaf nested record (3 orders), batch ${BATCH} calls/sample, ${TIME} ms/task + ${WARMUP_TIME} ms warmup`,
  );
  console.log('all contestants checked equivalent (deepStrictEqual after a JSON round trip)');

  const bench = new Bench({ name: 'minimize', time: TIME, warmup: true, warmupTime: WARMUP_TIME, throws: true });
  const key = (e: Entry) => `${e.group} | ${e.contestant}`;
  for (const e of list) {
    const fn = e.fn;
    bench.add(key(e), (): FnReturnedObject => {
      const t0 = bench.now();
      for (let i = 0; i < BATCH; i++) sink = fn(record);
      const elapsed = bench.now() - t0;
      return { overriddenDuration: elapsed / BATCH, overriddenIterationCost: elapsed };
    });
  }
  await bench.run();
  deepStrictEqual(record, pristine, 'the record changed during the run');

  const rows: Row[] = list.map((e) => {
    const result = bench.getTask(key(e))?.result;
    if (!result || !('latency' in result)) throw new Error(`${key(e)}: no result (${result?.state})`);
    return {
      group: e.group,
      contestant: e.contestant,
      reference: e.reference === true,
      ops: 1000 / result.latency.mean,
      rme: result.latency.rme,
      p50ns: result.latency.p50 * 1e6,
    };
  });
  let allMet = true;
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    const rs = rows.filter((r) => r.group === group);
    printGroup(group, rs);
    allMet = checkTargets(rs.filter((r) => !r.reference)) && allMet;
  }
  console.log(
    `\nminimize targets (purposeful ≥ 0.5× hand-written and > fast-redact, every group): ${allMet ? 'ALL MET' : 'NOT ALL MET'}` +
      ' (informational: a noisy machine can flip close calls; not an exit status)',
  );
  if (sink === Symbol.for('never')) console.log('');
}
