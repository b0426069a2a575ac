/**
 * The walker: turns a zod 4 object schema into a field table and a shape tree.
 * It unwraps wrappers by `_zod.def.type` (never `instanceof`), follows arrays,
 * tuples, records, nested objects, unions, intersections, pipes and lazy
 * schemas (recursive ones included), and reads annotations from the registry.
 *
 * @module
 * @internal
 */
import type * as core from 'zod/v4/core';
import { PII_TYPES, type PiiType } from '../detect/types.js';
import type { DeclarationProblem } from '../errors.js';
import { type AnonymizeSpec, anonymityProblem, anonymizeSpecProblem, isAnonymizeSpec } from '../minimize/anonymize.js';
import { isMaskSpec, type MaskSpec } from '../minimize/masks.js';
import type { Taxonomy } from '../taxonomy/categories.js';
import { didYouMean } from '../util/closest.js';
import { type AccessLevel, type FieldMeta, type FreeTextRedaction, getAnnotation } from './annotation.js';
import { RESTRICTION_COLUMN } from './restriction.js';
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
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);
const OPAQUE = new Set(['any', 'unknown', 'custom', 'map', 'set', 'promise', 'function', 'file']);
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

type Def = core.$ZodTypeDef & Record<string, unknown>;
const defOf = (s: core.$ZodType) => s._zod.def as Def;

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

function normalizeAccess(
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
function acceptsAnyValue(schema: core.$ZodType): string | undefined {
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

/** A copy of a node that can be merged into without touching the original. */
function cloneNode(n: ShapeNode): ShapeNode {
  const c: ShapeNode = { ...n };
  if (n.object) c.object = new Map(n.object);
  if (n.refs) c.refs = [...n.refs];
  return c;
}

function fieldFingerprint(f: FieldInfo): unknown {
  return [
    f.category,
    f.id,
    [...f.access.entries()],
    f.encrypt,
    f.index,
    f.mask,
    f.freeText,
    JSON.stringify(f.redaction),
    JSON.stringify(f.anonymize),
  ];
}

/**
 * Walks a zod object schema. `taxonomy` decides sensitivity; problems about the
 * shape of each annotation are collected, never thrown.
 */
export function walkSchema(schemaId: string, schema: core.$ZodType, taxonomy: Taxonomy): WalkResult {
  const problems: DeclarationProblem[] = [];
  const fields: FieldInfo[] = [];
  /** Objects and lazy schemas being walked: a reference back to one of them is recursion. */
  const active = new Map<core.$ZodType, ShapeNode>();
  const inProgress = new Set<ShapeNode>();

  const unsupported = (path: string, where: string, declaredAt?: string) =>
    problems.push(
      problem(
        'PF_DECL_ANNOTATION_UNSUPPORTED',
        `${path || 'the schema'}: an annotation ${where}, where purposeful cannot enforce it`,
        {
          schema: schemaId,
          path,
          declaredAt,
        },
      ),
    );

  /**
   * Merges the facets of `b` into `a` (union options, both sides of a pipe or
   * intersection). A node still being walked (recursion) cannot be copied yet:
   * it is kept as a reference and merged once the walk is over.
   */
  const merge = (a: ShapeNode, b: ShapeNode, path: string): ShapeNode => {
    if (a === b) return a;
    if (inProgress.has(b)) {
      a.refs = [...(a.refs ?? []), b];
      return a;
    }
    if (b.refs) a.refs = [...(a.refs ?? []), ...b.refs];
    if (b.field) {
      if (a.field && a.field !== b.field) {
        if (JSON.stringify(fieldFingerprint(a.field)) !== JSON.stringify(fieldFingerprint(b.field))) {
          problems.push(
            problem(
              'PF_DECL_CONFLICTING_ANNOTATIONS',
              `the options of a union (or both sides of a pipe) annotate ${path || 'the value'} differently`,
              {
                schema: schemaId,
                path,
                declaredAt: b.field.declaredAt,
              },
            ),
          );
        }
      } else a.field = b.field;
    }
    if (b.none) a.none = true;
    if (b.scalar) a.scalar = true;
    if (b.opaque) a.opaque = true;
    if (b.leaves) a.leaves = a.leaves ? [...a.leaves, ...b.leaves] : b.leaves;
    if (b.plainOptions) a.plainOptions = a.plainOptions ? [...a.plainOptions, ...b.plainOptions] : b.plainOptions;
    if (b.object) {
      if (!a.object) a.object = new Map(b.object);
      else {
        for (const [k, v] of b.object) {
          const existing = a.object.get(k);
          a.object.set(k, existing ? merge(cloneNode(existing), v, keyPath(path, k)) : v);
        }
      }
    }
    if (b.array) a.array = a.array ? merge(cloneNode(a.array), b.array, `${path}[]`) : b.array;
    if (b.record) a.record = a.record ? merge(cloneNode(a.record), b.record, `${path}{}`) : b.record;
    if (b.tuple) {
      if (a.tuple && a.tuple !== b.tuple) ambiguous(path, 'two tuples');
      a.tuple = b.tuple;
    }
    if (b.tupleRest) a.tupleRest = b.tupleRest;
    return a;
  };

  const ambiguous = (path: string, what: string) =>
    problems.push(
      problem(
        'PF_DECL_CONFLICTING_ANNOTATIONS',
        `${path || 'the value'}: a union of ${what} cannot be minimized unambiguously when it holds personal fields`,
        {
          schema: schemaId,
          path,
        },
      ),
    );

  const visit = (s: core.$ZodType, path: string, idPath: string): ShapeNode => {
    const ann = getAnnotation(s);
    if (ann?.kind === 'none') {
      if (hasAnnotationInside(s)) unsupported(path, 'inside a value declared pd.none()', ann.declaredAt);
      const any = acceptsAnyValue(s);
      if (any) {
        problems.push(
          problem(
            'PF_DECL_OPAQUE_FIELD',
            `${path || 'the value'}: declared not personal (pd.none()) but it accepts any value (${any}), so it can carry undeclared personal data; declare the shape it holds, and pd() for what is personal`,
            { schema: schemaId, path, declaredAt: ann.declaredAt },
          ),
        );
      }
      return { none: true, leaves: [s] };
    }
    if (ann?.kind === 'personal') {
      const info = makeField(ann.meta, ann.declaredAt, path, idPath, baseTypeOf(s));
      fields.push(info);
      if (hasAnnotationInside(s)) {
        problems.push(
          problem('PF_DECL_NESTED_ANNOTATION', `${path} is annotated and so is a field inside it`, {
            schema: schemaId,
            path,
            declaredAt: ann.declaredAt,
          }),
        );
      }
      return { field: info, leaves: [s] };
    }
    const d = defOf(s);
    const t = d.type;
    if (WRAPPERS.has(t)) return visit(d.innerType as core.$ZodType, path, idPath);
    switch (t) {
      case 'lazy': {
        const back = active.get(s);
        if (back) return back;
        const node: ShapeNode = {};
        active.set(s, node);
        inProgress.add(node);
        const inner = visit((d.getter as () => core.$ZodType)(), path, idPath);
        active.delete(s);
        inProgress.delete(node);
        return merge(node, inner, path);
      }
      case 'pipe':
      case 'intersection': {
        const [a, b] = t === 'pipe' ? [d.in, d.out] : [d.left, d.right];
        const acc = merge({}, visit(a as core.$ZodType, path, idPath), path);
        return merge(acc, visit(b as core.$ZodType, path, idPath), path);
      }
      case 'union': {
        const acc: ShapeNode = {};
        const plain: core.$ZodType[] = [];
        for (const option of d.options as core.$ZodType[]) {
          const node = visit(option, path, idPath);
          // an option that is neither pd() nor pd.none(): kept apart, so that `deny` can leave it out beside an annotated one
          if (!node.field && !node.none && node.leaves) plain.push(...node.leaves.filter((l) => !holdsNoValue(l)));
          merge(acc, node, path);
        }
        if (plain.length) acc.plainOptions = acc.plainOptions ? [...acc.plainOptions, ...plain] : plain;
        return acc;
      }
      case 'object': {
        // objects may recurse through getters in their shape (zod 4's recommended recursion)
        const back = active.get(s);
        if (back) return back;
        const node: ShapeNode = {};
        active.set(s, node);
        inProgress.add(node);
        const shape = d.shape as Record<string, core.$ZodType>;
        const map = new Map<string, ShapeNode>();
        for (const key of Object.keys(shape)) {
          const childPath = keyPath(path, key);
          if (key === '__proto__') {
            problems.push(
              problem('PF_DECL_RESERVED_KEY', `${childPath}: "__proto__" cannot be a field name`, {
                schema: schemaId,
                path: childPath,
              }),
            );
            continue;
          }
          if (path === '' && key === RESTRICTION_COLUMN) {
            // the library writes a row's restriction (erasure, blocking): input must never set or clear it
            problems.push(
              problem(
                'PF_DECL_RESERVED_KEY',
                `${childPath}: "${RESTRICTION_COLUMN}" is the row's restriction column, not a field`,
                {
                  schema: schemaId,
                  path: childPath,
                  article: 'LGPD Art. 5 XIII, 16, 18 IV; GDPR Art. 17(3), 18',
                },
              ),
            );
            continue;
          }
          map.set(key, visit(shape[key] as core.$ZodType, childPath, keyPath(idPath, key)));
        }
        const catchall = d.catchall as core.$ZodType | undefined;
        if (catchall && defOf(catchall).type !== 'never') {
          if (getAnnotation(catchall) || hasAnnotationInside(catchall)) unsupported(path, 'in the catchall of an object');
          problems.push(
            problem(
              'PF_DECL_OPAQUE_FIELD',
              `${path || 'the schema'} is a loose object: zod lets undeclared keys through (purposeful still rejects them inbound and drops them outbound)`,
              { schema: schemaId, path },
            ),
          );
        }
        active.delete(s);
        inProgress.delete(node);
        node.object = map;
        return node;
      }
      case 'array':
        return { array: visit(d.element as core.$ZodType, `${path}[]`, idPath) };
      case 'tuple': {
        const items = (d.items as core.$ZodType[]).map((item, i) =>
          visit(item, `${path}[${i}]`, idPath ? `${idPath}.${i}` : String(i)),
        );
        const node: ShapeNode = { tuple: items };
        if (d.rest) node.tupleRest = visit(d.rest as core.$ZodType, `${path}[]`, idPath);
        return node;
      }
      case 'record': {
        const keyType = d.keyType as core.$ZodType;
        if (getAnnotation(keyType) || hasAnnotationInside(keyType)) unsupported(path, 'on the keys of a record');
        return { record: visit(d.valueType as core.$ZodType, `${path}{}`, idPath) };
      }
      default:
        if (hasAnnotationInside(s)) unsupported(path, `inside a ${t}`);
        return OPAQUE.has(t) ? { opaque: true, leaves: [s] } : { scalar: true, leaves: [s] };
    }
  };

  /** After the walk, every reference to a recursive node is merged in, now that the node is complete. */
  const materialize = (root: ShapeNode): void => {
    const done = new Set<ShapeNode>();
    const resolving = new Set<ShapeNode>();
    const resolve = (node: ShapeNode): void => {
      if (done.has(node) || resolving.has(node)) return;
      resolving.add(node);
      while (node.refs?.length) {
        const refs = node.refs;
        node.refs = undefined;
        for (const r of refs) {
          resolve(r);
          merge(node, r, '');
        }
      }
      resolving.delete(node);
      done.add(node);
    };
    const stack: ShapeNode[] = [root];
    const seen = new Set<ShapeNode>();
    while (stack.length) {
      const node = stack.pop() as ShapeNode;
      if (seen.has(node)) continue;
      seen.add(node);
      resolve(node);
      if (node.object) stack.push(...node.object.values());
      if (node.array) stack.push(node.array);
      if (node.record) stack.push(node.record);
      if (node.tuple) stack.push(...node.tuple);
      if (node.tupleRest) stack.push(node.tupleRest);
    }
    // a personal field is a leaf: a union that also lets an object, array or any value through at its place would bypass it
    for (const node of seen) {
      if (node.field && (node.object || node.array || node.record || node.tuple || node.opaque)) {
        problems.push(
          problem(
            'PF_DECL_CONFLICTING_ANNOTATIONS',
            `${node.field.path}: a union lets a structured or arbitrary value stand where a personal field is declared`,
            {
              schema: schemaId,
              path: node.field.path,
              declaredAt: node.field.declaredAt,
            },
          ),
        );
      }
      const holdsFields = (n: ShapeNode | undefined) => n !== undefined && holdsAnnotation(n);
      if (
        (node.array && node.tuple && (holdsFields(node.array) || node.tuple.some(holdsFields))) ||
        (node.object && node.record && (holdsFields(node.record) || [...node.object.values()].some(holdsFields)))
      ) {
        ambiguous(node.field?.path ?? '', node.tuple ? 'an array and a tuple' : 'an object and a record');
      }
    }
  };

  const makeField = (
    meta: FieldMeta,
    declaredAt: string | undefined,
    path: string,
    idPath: string,
    baseType: string,
  ): FieldInfo => {
    const at = { schema: schemaId, path, declaredAt };
    const category = typeof meta.category === 'string' ? meta.category : '';
    const cat = taxonomy.get(category);
    if (!cat) {
      problems.push(
        problem(
          'PF_DECL_UNKNOWN_CATEGORY',
          `${path}: unknown category "${category}"${didYouMean(category, taxonomy.keys())} (see the taxonomy; custom keys go in definePurposes(…, { categories }))`,
          at,
        ),
      );
    }
    if (meta.mask !== undefined && !isMaskSpec(meta.mask)) {
      problems.push(problem('PF_DECL_MASK_UNKNOWN', `${path}: unknown mask ${JSON.stringify(meta.mask)}`, at));
    }
    if (meta.id !== undefined && (typeof meta.id !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(meta.id))) {
      problems.push(problem('PF_DECL_INVALID', `${path}: id must be 1–128 characters of letters, digits, _ . : -`, at));
    }
    if (meta.encrypt !== undefined && typeof meta.encrypt !== 'boolean') {
      problems.push(problem('PF_DECL_INVALID', `${path}: encrypt must be a boolean`, at));
    }
    const redaction = freeTextRedaction(meta.freeText);
    if (redaction === null) {
      problems.push(
        problem(
          'PF_DECL_INVALID',
          `${path}: freeText must be a boolean or { style?: label | mask | token, threshold?: low | medium | high, types?: PII types }`,
          at,
        ),
      );
    }
    if (meta.index !== undefined && (typeof meta.index !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(meta.index))) {
      problems.push(problem('PF_DECL_INVALID', `${path}: index must be a lowercase name such as "cpf"`, at));
    }
    const access = normalizeAccess(meta, at, problems);
    const freeText = redaction !== undefined && redaction !== null;
    const anonymize = anonymizeProblem(meta.anonymize, freeText, baseType, category);
    if (anonymize) problems.push(problem(anonymize.code, `${path}: ${anonymize.message}`, at));
    return Object.freeze({
      path,
      id: typeof meta.id === 'string' ? meta.id : idPath,
      category,
      sensitive: cat?.sensitive ?? false,
      sensitiveKind: cat?.sensitiveKind,
      criminal: cat?.criminal ?? false,
      access,
      encrypt: meta.encrypt ?? freeText,
      index: typeof meta.index === 'string' ? meta.index : undefined,
      mask: isMaskSpec(meta.mask) ? meta.mask : 'full',
      freeText,
      redaction: redaction ?? undefined,
      anonymize: isAnonymizeSpec(meta.anonymize) && !anonymize ? frozenSpec(meta.anonymize) : undefined,
      description: typeof meta.description === 'string' ? meta.description : undefined,
      declaredAt,
    });
  };

  const root = visit(schema, '', '');
  materialize(root);
  return { root, fields, problems };
}

/** The zod type under a schema's wrappers (`optional`, `nullable`, …): `string`, `number`, `union`, … */
function baseTypeOf(s: core.$ZodType): string {
  let d = defOf(s);
  while (WRAPPERS.has(d.type)) d = defOf(d.innerType as core.$ZodType);
  return d.type;
}

/** Types a value of which may be a string or a number (or anything): checked again at run time. */
const OPEN_TYPES = new Set([
  'union',
  'pipe',
  'lazy',
  'intersection',
  'any',
  'unknown',
  'custom',
  'template_literal',
  'literal',
  'enum',
]);

/** A copy of a spec the caller cannot change afterwards (its lists copied too). */
function frozenSpec(spec: AnonymizeSpec): AnonymizeSpec {
  const copy: Record<string, unknown> = { ...spec };
  for (const k of ['buckets', 'vocabulary'] as const) {
    const list = copy[k];
    if (Array.isArray(list)) copy[k] = Object.freeze([...list]);
  }
  return Object.freeze(copy) as AnonymizeSpec;
}

/**
 * What is wrong with a field's `anonymize` declaration, or `undefined`: a
 * form purposeful does not know or that does not fit the field
 * (`PF_DECL_ANONYMIZE_INVALID`), or one whose result would still identify a
 * person (`PF_DECL_ANONYMIZE_NOT_ANONYMOUS`, LGPD Art. 12).
 */
function anonymizeProblem(
  spec: unknown,
  freeText: boolean,
  baseType: string,
  category: string,
): { code: 'PF_DECL_ANONYMIZE_INVALID' | 'PF_DECL_ANONYMIZE_NOT_ANONYMOUS'; message: string } | undefined {
  if (spec === undefined) return undefined;
  const invalid = (message: string) => ({ code: 'PF_DECL_ANONYMIZE_INVALID' as const, message });
  // redaction alone was once accepted here: it is not anonymization, and says why
  const notAnonymous = anonymityProblem(spec, category);
  if (spec === 'redact') return { code: 'PF_DECL_ANONYMIZE_NOT_ANONYMOUS', message: notAnonymous as string };
  const shape = anonymizeSpecProblem(spec);
  if (shape !== undefined || !isAnonymizeSpec(spec)) return invalid(shape ?? 'anonymize is not valid');
  if ('redact' in spec) {
    if (!freeText) return invalid('anonymize: a vocabulary applies to free text (freeText: true)');
  } else {
    const prefix = typeof spec.keepFirst === 'number';
    const want = prefix ? 'string' : 'number';
    if (baseType !== want && !OPEN_TYPES.has(baseType)) {
      return invalid(
        `anonymize: ${prefix ? 'keepFirst' : spec.buckets ? 'buckets' : 'round'} applies to ${want}s, and the field is a ${baseType}`,
      );
    }
  }
  return notAnonymous === undefined ? undefined : { code: 'PF_DECL_ANONYMIZE_NOT_ANONYMOUS', message: notAnonymous };
}

const STYLES = new Set(['label', 'mask', 'token']);
const CONFIDENCES = new Set(['low', 'medium', 'high']);
const DEFAULT_REDACTION: FreeTextRedaction = Object.freeze({ style: 'label', threshold: 'medium' });

/** A field's `freeText` declaration: its redaction, `undefined` when the field is not free text, `null` when malformed. */
function freeTextRedaction(v: unknown): FreeTextRedaction | undefined | null {
  if (v === undefined || v === false) return undefined;
  if (v === true) return DEFAULT_REDACTION;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const { style = 'label', threshold = 'medium', types, ...rest } = v as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || !STYLES.has(style as string) || !CONFIDENCES.has(threshold as string)) return null;
  if (types !== undefined && (!Array.isArray(types) || types.length === 0 || !types.every((t) => PII_TYPES.includes(t))))
    return null;
  return Object.freeze({
    style: style as FreeTextRedaction['style'],
    threshold: threshold as FreeTextRedaction['threshold'],
    ...(types ? { types: Object.freeze([...(types as PiiType[])]) } : {}),
  });
}
