/**
 * The field table and the shape tree of a schema: their types, field paths,
 * and the helpers that read zod schemas by `_zod.def.type` (never
 * `instanceof`). The walk that builds them is `walker.ts`.
 *
 * @module
 * @internal
 */
import type * as core from 'zod/v4/core';
import type { DeclarationProblem } from '../errors.js';
import type { AnonymizeSpec } from '../minimize/anonymize.js';
import type { MaskSpec } from '../minimize/masks.js';
import { type AccessLevel, type FieldMeta, type FreeTextRedaction, getAnnotation } from './annotation.js';
import { problem } from './rules.js';

/**
 * How one purpose may access one field.
 *
 * @example
 * ```ts
 * Customer.field('phone')?.access.get('support.ticket'); // { level: 'masked', roles: { supervisor: 'clear' } }
 * Customer.field('cpf')?.access.get('billing.invoice');  // { level: 'clear', roles: undefined }
 * Customer.field('cpf')?.access.get('support.survey');   // undefined: that purpose may not see it
 * ```
 * @category Declaring
 */
export interface FieldAccess {
  /** Level for actors without a listed role (for list and plain map forms: the level). */
  readonly level: AccessLevel | 'none';
  /** Levels per role, when the declaration is role-dependent. */
  readonly roles: Readonly<Record<string, AccessLevel | 'none'>> | undefined;
}

/**
 * One personal field of a schema, as the engine and the CLI see it.
 *
 * @example
 * ```ts
 * const cpf: FieldInfo | undefined = Customer.field('cpf');
 * cpf?.category;                   // 'user.government_id.national_identification_number'
 * cpf?.encrypt;                    // true
 * [...(cpf?.access.keys() ?? [])]; // ['support.ticket', 'billing.invoice']
 * ```
 * @category Declaring
 */
export interface FieldInfo {
  /** Path with `[]` for array elements, `{}` for record values, `[n]` for tuple items: `contacts[].email`. */
  readonly path: string;
  /** Stable id (declared, or the path without array markers): what encryption binds to. */
  readonly id: string;
  readonly category: string;
  /** Sensitive personal data (LGPD Art. 5 II / 11; GDPR Art. 9). */
  readonly sensitive: boolean;
  readonly sensitiveKind: string | undefined;
  /** Criminal data (GDPR Art. 10). */
  readonly criminal: boolean;
  /** Purpose → access. Purposes not listed may not see the field. */
  readonly access: ReadonlyMap<string, FieldAccess>;
  readonly encrypt: boolean;
  readonly index: string | undefined;
  readonly mask: MaskSpec;
  readonly freeText: boolean;
  /** How `inbound` redacts it (free-text fields only). */
  readonly redaction: FreeTextRedaction | undefined;
  /** The generalized form it keeps in an anonymous copy when it leaves its record. */
  readonly anonymize: AnonymizeSpec | undefined;
  readonly description: string | undefined;
  readonly declaredAt: string | undefined;
}

/** One node of the shape tree: the facets a value at this place may have. */
export interface ShapeNode {
  object?: Map<string, ShapeNode>;
  array?: ShapeNode;
  tuple?: ShapeNode[];
  tupleRest?: ShapeNode;
  record?: ShapeNode;
  /** An annotated personal field: a leaf, whatever its type. */
  field?: FieldInfo;
  /** `pd.none()`: a leaf declared not personal. */
  none?: true;
  /** An unannotated scalar (string, number, enum, date, …). */
  scalar?: true;
  /** An unannotated value of any shape (any, unknown, custom, map, set, …). */
  opaque?: true;
  /** While walking: recursive nodes whose facets are merged in once they are complete. */
  refs?: ShapeNode[] | undefined;
  /** The zod schemas declared at a leaf (annotated, `pd.none()`, scalar or opaque): the outbound projection checks values against them. */
  leaves?: readonly core.$ZodType[];
  /**
   * The leaves of union options declared neither with `pd()` nor with `pd.none()` (those that hold a value: not
   * `z.null()` or `z.undefined()`). Beside an annotated option, `unannotated: 'deny'` leaves them out.
   */
  plainOptions?: readonly core.$ZodType[];
}

/**
 * A path as purposeful shows it, from raw segments (e.g. a zod issue path):
 * declared keys by name, array items as `[]`, tuple items as `[n]`, record
 * entries as `{}` and anything undeclared as `["?"]`, so a key that is data
 * (a record keyed by e-mail, say) never appears.
 */
export function displayPath(root: ShapeNode, segments: readonly PropertyKey[]): string {
  let out = '';
  let node: ShapeNode | undefined = root;
  for (const seg of segments) {
    if (typeof seg === 'number') {
      if (node?.tuple && seg < node.tuple.length) {
        out += `[${seg}]`;
        node = node.tuple[seg];
      } else {
        out += '[]';
        node = node?.array ?? node?.tupleRest;
      }
    } else if (typeof seg === 'string' && node?.object?.has(seg)) {
      out += out ? `.${keyPath('', seg)}` : keyPath('', seg);
      node = node.object.get(seg);
    } else if (node?.record) {
      out += '{}';
      node = node.record;
    } else {
      out += '["?"]';
      node = undefined;
    }
  }
  return out;
}

/**
 * Whether an annotation sits anywhere at or below `node`: a personal field, or
 * with `countNone` also a `pd.none()` declaration.
 */
export function holdsAnnotation(node: ShapeNode, countNone = false, seen = new Set<ShapeNode>()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  if (node.field || (countNone && node.none)) return true;
  return shapeChildren(node).some((k) => holdsAnnotation(k, countNone, seen));
}

/** The nodes directly below a node: object values, array and record elements, tuple items. */
export function shapeChildren(node: ShapeNode): ShapeNode[] {
  const kids: ShapeNode[] = [];
  if (node.object) kids.push(...node.object.values());
  if (node.array) kids.push(node.array);
  if (node.record) kids.push(node.record);
  if (node.tuple) kids.push(...node.tuple);
  if (node.tupleRest) kids.push(node.tupleRest);
  return kids;
}

const LEVELS = new Set(['clear', 'masked', 'pseudonymized']);
export const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);
export const OPAQUE = new Set(['any', 'unknown', 'custom', 'map', 'set', 'promise', 'function', 'file']);
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** A key appended to a field path the way paths are written: an identifier as it is, any other key as a JSON string. */
export function keyPath(base: string, key: string): string {
  const seg = IDENT.test(key) ? key : JSON.stringify(key);
  return base ? `${base}.${seg}` : seg;
}

/** One step of a field path: a key, then `[]` (each element) or `{}` (each value) as many times as nested. */
export interface PathStep {
  readonly key: string;
  readonly suffix: string;
}

/** Reads a field path (`a.b`, `"x-y".list[].text`, `notes{}`, `pair[1]`) back into its steps. */
export function parsePath(path: string): PathStep[] {
  const out: PathStep[] = [];
  let i = 0;
  while (i < path.length) {
    let key: string;
    if (path[i] === '"') {
      let j = i + 1;
      while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      key = JSON.parse(path.slice(i, j + 1)) as string;
      i = j + 1;
    } else {
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[' && path[j] !== '{') j++;
      key = path.slice(i, j);
      i = j;
    }
    let suffix = '';
    for (;;) {
      if (path.startsWith('[]', i) || path.startsWith('{}', i)) {
        suffix += path.slice(i, i + 2);
        i += 2;
        continue;
      }
      // a tuple item: `[n]`
      const tuple = /^\[\d+\]/.exec(path.slice(i, i + 12));
      if (!tuple) break;
      suffix += tuple[0];
      i += tuple[0].length;
    }
    out.push({ key, suffix });
    if (path[i] === '.') i++;
    else if (i < path.length) throw new TypeError(`not a field path: ${JSON.stringify(path)}`);
  }
  return out;
}

export type Def = core.$ZodTypeDef & Record<string, unknown>;
export const defOf = (s: core.$ZodType) => s._zod.def as Def;

/** The result of walking a schema. */
export interface WalkResult {
  root: ShapeNode;
  fields: FieldInfo[];
  problems: DeclarationProblem[];
}

const accessCache = new WeakMap<FieldMeta, Map<string, FieldAccess>>();

/** The normalized purpose → access map of a field declaration (invalid entries left out). */
export function accessOf(meta: FieldMeta): ReadonlyMap<string, FieldAccess> {
  let m = accessCache.get(meta);
  if (!m) {
    m = normalizeAccess(meta, {}, []);
    accessCache.set(meta, m);
  }
  return m;
}

export function normalizeAccess(
  meta: FieldMeta,
  at: Pick<DeclarationProblem, 'schema' | 'path' | 'declaredAt'>,
  problems: DeclarationProblem[],
): Map<string, FieldAccess> {
  const out = new Map<string, FieldAccess>();
  const p = meta.purposes as unknown;
  if (Array.isArray(p)) {
    for (const id of p) {
      if (typeof id !== 'string') {
        problems.push(problem('PF_DECL_ACCESS_INVALID', 'purposes must list purpose ids (strings)', at));
        continue;
      }
      out.set(id, { level: 'clear', roles: undefined });
    }
    return out;
  }
  if (typeof p !== 'object' || p === null) {
    problems.push(
      problem(
        'PF_DECL_ACCESS_INVALID',
        "purposes must be a list of purpose ids or a map { purpose: 'clear' | 'masked' | 'pseudonymized' }",
        at,
      ),
    );
    return out;
  }
  for (const [id, spec] of Object.entries(p as Record<string, unknown>)) {
    if (typeof spec === 'string') {
      if (!LEVELS.has(spec)) {
        problems.push(
          problem('PF_DECL_ACCESS_INVALID', `purpose "${id}": unknown access level "${spec}"`, { ...at, purpose: id }),
        );
        continue;
      }
      out.set(id, { level: spec as AccessLevel, roles: undefined });
      continue;
    }
    const roles = (spec as { roles?: unknown } | null)?.roles;
    const def = (spec as { default?: unknown } | null)?.default ?? 'none';
    const valid = (l: unknown) => l === 'none' || (typeof l === 'string' && LEVELS.has(l));
    if (
      typeof spec !== 'object' ||
      spec === null ||
      typeof roles !== 'object' ||
      roles === null ||
      !valid(def) ||
      !Object.values(roles).every(valid) ||
      Object.keys(roles).length === 0
    ) {
      problems.push(
        problem('PF_DECL_ACCESS_INVALID', `purpose "${id}": a role-dependent level is { default?, roles: { role: level } }`, {
          ...at,
          purpose: id,
        }),
      );
      continue;
    }
    out.set(id, {
      level: def as AccessLevel | 'none',
      roles: Object.freeze({ ...(roles as Record<string, AccessLevel | 'none'>) }),
    });
  }
  return out;
}

/** The schemas directly inside `schema`, wherever zod keeps them (record keys, map, set, promise and catchall included). */
function childrenOf(schema: core.$ZodType): core.$ZodType[] {
  const d = defOf(schema);
  const kids: unknown[] = [];
  switch (d.type) {
    case 'object':
      kids.push(...Object.values(d.shape as Record<string, unknown>), d.catchall);
      break;
    case 'array':
      kids.push(d.element);
      break;
    case 'union':
      kids.push(...(d.options as unknown[]));
      break;
    case 'intersection':
      kids.push(d.left, d.right);
      break;
    case 'pipe':
      kids.push(d.in, d.out);
      break;
    case 'lazy':
      kids.push((d.getter as () => unknown)());
      break;
    case 'record':
    case 'map':
      kids.push(d.keyType, d.valueType);
      break;
    case 'set':
      kids.push(d.valueType);
      break;
    case 'tuple':
      kids.push(...(d.items as unknown[]), d.rest);
      break;
    default:
      kids.push(d.innerType);
  }
  return kids.filter((k): k is core.$ZodType => typeof k === 'object' && k !== null && '_zod' in k);
}

/** Whether an annotation sits anywhere inside `schema` (not counting `schema` itself, even when it recurses into itself). */
export function hasAnnotationInside(schema: core.$ZodType): boolean {
  const seen = new Set<core.$ZodType>([schema]);
  const stack = childrenOf(schema);
  while (stack.length) {
    const k = stack.pop() as core.$ZodType;
    if (seen.has(k)) continue;
    seen.add(k);
    if (getAnnotation(k) !== undefined) return true;
    stack.push(...childrenOf(k));
  }
  return false;
}

/**
 * What in a schema accepts any value or any key (`z.any()`, `z.unknown()`, an object with a catchall, as
 * `z.looseObject()` has), as a short description, or `undefined` when its shape is declared throughout.
 */
export function acceptsAnyValue(schema: core.$ZodType): string | undefined {
  const seen = new Set<core.$ZodType>();
  const stack = [schema];
  while (stack.length) {
    const s = stack.pop() as core.$ZodType;
    if (seen.has(s)) continue;
    seen.add(s);
    const d = defOf(s);
    switch (d.type) {
      case 'any':
      case 'unknown':
        return `z.${d.type}()`;
      case 'object': {
        const catchall = d.catchall as core.$ZodType | undefined;
        if (catchall && defOf(catchall).type !== 'never') return 'an object that takes undeclared keys';
        stack.push(...Object.values(d.shape as Record<string, core.$ZodType>));
        break;
      }
      case 'array':
        stack.push(d.element as core.$ZodType);
        break;
      case 'record':
        stack.push(d.valueType as core.$ZodType);
        break;
      case 'tuple':
        stack.push(...(d.items as core.$ZodType[]));
        if (d.rest) stack.push(d.rest as core.$ZodType);
        break;
      case 'union':
        stack.push(...(d.options as core.$ZodType[]));
        break;
      case 'intersection':
        stack.push(d.left as core.$ZodType, d.right as core.$ZodType);
        break;
      case 'pipe': {
        // what comes in is what the input side takes; a preprocess (a transform first) hands anything to its output side
        const input = d.in as core.$ZodType;
        stack.push(defOf(input).type === 'transform' ? (d.out as core.$ZodType) : input);
        break;
      }
      case 'lazy':
        stack.push((d.getter as () => core.$ZodType)());
        break;
      default:
        if (WRAPPERS.has(d.type)) stack.push(d.innerType as core.$ZodType);
    }
  }
  return undefined;
}

const NO_VALUE = new Set(['null', 'undefined', 'void', 'never']);

/** Whether a schema accepts no value but `null` or `undefined` (`z.null()`, `z.undefined()`, …): a union option that holds no data. */
export function holdsNoValue(schema: core.$ZodType): boolean {
  return NO_VALUE.has(baseTypeOf(schema));
}

/** The zod type under a schema's wrappers (`optional`, `nullable`, …): `string`, `number`, `union`, … */
export function baseTypeOf(s: core.$ZodType): string {
  let d = defOf(s);
  while (WRAPPERS.has(d.type)) d = defOf(d.innerType as core.$ZodType);
  return d.type;
}
