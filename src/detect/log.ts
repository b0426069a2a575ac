/**
 * Logging without personal data: `redactForLog(value)` copies any value with
 * the declared personal fields masked and every other string scanned, and
 * `redactPaths(schema)` gives pino's `redact` option the paths of a schema's
 * personal fields.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { maskValue } from '../minimize/masks.js';
import { isPurposefulSchema, type PurposefulSchema } from '../schema/define.js';
import { type FieldInfo, keyPath, parsePath } from '../schema/walk.js';
import { type RedactOptions, redactText } from './redact.js';

/**
 * Options of {@link redactForLog}.
 *
 * @example
 * ```ts
 * logger.info(redactForLog({ ticket, headers }, { schema: Ticket, style: 'mask' }), 'ticket opened');
 * ```
 * @category PII in text
 */
export interface LogRedactOptions extends RedactOptions {
  /** The schema the value follows, if any: its personal fields are masked with their declared mask. */
  readonly schema?: PurposefulSchema;
  /** Deepest nesting copied (default 16); deeper values become `[Truncated]`. */
  readonly maxDepth?: number;
  /** Most values copied (default 10,000); the rest become `[Truncated]`. */
  readonly maxNodes?: number;
}

/** What a schema's fields say about a path: the field at it, or whether something below it is declared. */
interface Declared {
  readonly fields: ReadonlyMap<string, FieldInfo>;
  readonly prefixes: ReadonlySet<string>;
}

const DECLARED = new WeakMap<PurposefulSchema, Declared>();

function declaredOf(schema: PurposefulSchema): Declared {
  let d = DECLARED.get(schema);
  if (d === undefined) {
    const fields = new Map(schema.fields.map((f) => [f.path, f]));
    const prefixes = new Set<string>();
    for (const f of schema.fields) {
      let p = '';
      for (const step of parsePath(f.path)) {
        p = keyPath(p, step.key);
        prefixes.add(p);
        for (let k = 0; k < step.suffix.length; k += 2) {
          p += step.suffix.slice(k, k + 2);
          prefixes.add(p);
        }
      }
    }
    d = { fields, prefixes };
    DECLARED.set(schema, d);
  }
  return d;
}

/**
 * A copy of any value fit for a log line: with a `schema`, its personal
 * fields masked (free-text fields redacted instead, so the message stays
 * readable); every other string scanned and redacted (`label` style by
 * default). Cycles become `[Circular]`, functions are dropped, binary data
 * becomes `[Binary]`, errors keep their name and a redacted message.
 * Never throws on a value.
 *
 * @example
 * ```ts
 * redactForLog({ customer: { cpf: '529.982.247-25', name: 'Ana' }, note: 'ligar em (11) 91234-5678' }, { schema: Customer });
 * // { customer: { cpf: '***.***.**7-25', name: 'A***' }, note: 'ligar em [PHONE]' }
 * ```
 * @category PII in text
 */
export function redactForLog(value: unknown, options: LogRedactOptions = {}): unknown {
  const schema = options.schema;
  if (schema !== undefined && !isPurposefulSchema(schema)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'redactForLog(): schema must be a purposeful schema (defineSchema)');
  }
  const declared = schema ? declaredOf(schema) : undefined;
  const maxDepth = options.maxDepth ?? 16;
  const maxNodes = options.maxNodes ?? 10_000;
  let nodes = 0;
  const seen = new WeakSet<object>();
  const scan = (s: string) => redactText(s, options);

  const copy = (v: unknown, path: string | undefined, depth: number): unknown => {
    if (++nodes > maxNodes || depth > maxDepth) return '[Truncated]';
    const field = path !== undefined ? declared?.fields.get(path) : undefined;
    if (field !== undefined && (typeof v !== 'object' || v === null)) {
      if (v === undefined || v === null) return v;
      if (field.freeText && typeof v === 'string') return redactText(v, { ...options, ...field.redaction, key: options.key });
      return maskValue(field.mask, v);
    }
    switch (typeof v) {
      case 'string':
        return scan(v);
      case 'number':
      case 'boolean':
      case 'undefined':
        return v;
      case 'bigint':
        return scan(v.toString());
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (v === null) return null;
    const o = v as object;
    if (seen.has(o)) return '[Circular]';
    if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) return '[Binary]';
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : scan(o.toISOString());
    seen.add(o);
    try {
      if (o instanceof Error) return { name: o.name, message: scan(o.message) };
      // an array or record the schema declares: its elements keep their place in the declared paths
      const inside = (suffix: string) =>
        path !== undefined && declared?.prefixes.has(path + suffix) ? path + suffix : undefined;
      if (Array.isArray(o)) return o.map((x) => copy(x, inside('[]'), depth + 1));
      if (o instanceof Map) return [...o].map(([k, x]) => [copy(k, undefined, depth + 1), copy(x, undefined, depth + 1)]);
      if (o instanceof Set) return [...o].map((x) => copy(x, undefined, depth + 1));
      const out: Record<string, unknown> = {};
      const record = inside('{}');
      for (const k of Object.keys(o)) {
        if (k === '__proto__') continue;
        const childPath = record ?? (declared ? childOf(declared, path, k) : undefined);
        const x = copy((o as Record<string, unknown>)[k], childPath, depth + 1);
        if (x !== undefined) out[k] = x;
      }
      return out;
    } finally {
      seen.delete(o);
    }
  };
  return copy(value, declared ? '' : undefined, 0);
}

/** The path of key `k` under `path` when the schema declares something there. */
function childOf(declared: Declared, path: string | undefined, k: string): string | undefined {
  if (path === undefined) return undefined;
  const p = keyPath(path, k);
  return declared.prefixes.has(p) ? p : undefined;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The paths of a schema's personal fields in the syntax of pino's `redact`
 * option (`a.b`, `list[*].text`, `notes.*`, `a["x-y"]`), sorted. With
 * `prefix`, each path is put under it (`req.body` → `req.body.cpf`).
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const logger = pino({ redact: { paths: redactPaths(Customer, 'customer'), censor: '[redacted]' } });
 * redactPaths(Customer); // ['accessibility', 'cpf', 'email', 'message', 'name']
 * ```
 * @category PII in text
 */
export function redactPaths(schema: PurposefulSchema, prefix?: string): string[] {
  if (!isPurposefulSchema(schema)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'redactPaths(): schema must be a purposeful schema (defineSchema)');
  }
  const paths = new Set<string>();
  for (const f of schema.fields) {
    let p = prefix ?? '';
    for (const { key, suffix } of parsePath(f.path)) {
      p = IDENT.test(key) ? (p ? `${p}.${key}` : key) : `${p}[${JSON.stringify(key)}]`;
      for (let k = 0; k < suffix.length; k += 2) p += suffix.slice(k, k + 2) === '[]' ? '[*]' : '.*';
    }
    paths.add(p);
  }
  return [...paths].sort();
}
