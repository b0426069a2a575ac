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
import type { Taxonomy } from '../taxonomy/categories.js';
import { type Annotation, getAnnotation } from './annotation.js';
import { RESTRICTION_COLUMN } from './restriction.js';
import { problem } from './rules.js';
import {
  acceptsAnyValue,
  baseTypeOf,
  type Def,
  defOf,
  hasAnnotationInside,
  holdsAnnotation,
  holdsNoValue,
  keyPath,
  OPAQUE,
  type ShapeNode,
  type WalkResult,
  WRAPPERS,
} from './walk.js';
import { makeField } from './walk-field.js';
import { merge } from './walk-merge.js';
import { ambiguous, unsupported, type Walk } from './walk-state.js';

/**
 * Walks a zod object schema. `taxonomy` decides sensitivity; problems about the
 * shape of each annotation are collected, never thrown.
 */
export function walkSchema(schemaId: string, schema: core.$ZodType, taxonomy: Taxonomy): WalkResult {
  const w: Walk = {
    schemaId,
    taxonomy,
    problems: [],
    fields: [],
    active: new Map<core.$ZodType, ShapeNode>(),
    inProgress: new Set<ShapeNode>(),
  };
  const root = visit(w, schema, '', '');
  materialize(w, root);
  return { root, fields: w.fields, problems: w.problems };
}

/** One schema at `path` (`idPath`: the path without array markers, for field ids) into its shape node. */
function visit(w: Walk, s: core.$ZodType, path: string, idPath: string): ShapeNode {
  const ann = getAnnotation(s);
  if (ann?.kind === 'none') return visitNone(w, s, ann, path);
  if (ann?.kind === 'personal') return visitPersonal(w, s, ann, path, idPath);
  const d = defOf(s);
  const t = d.type;
  if (WRAPPERS.has(t)) return visit(w, d.innerType as core.$ZodType, path, idPath);
  switch (t) {
    case 'lazy':
      return visitLazy(w, s, d, path, idPath);
    case 'pipe':
    case 'intersection': {
      const [a, b] = t === 'pipe' ? [d.in, d.out] : [d.left, d.right];
      const acc = merge(w, {}, visit(w, a as core.$ZodType, path, idPath), path);
      return merge(w, acc, visit(w, b as core.$ZodType, path, idPath), path);
    }
    case 'union':
      return visitUnion(w, d, path, idPath);
    case 'object':
      return visitObject(w, s, d, path, idPath);
    case 'array':
      return { array: visit(w, d.element as core.$ZodType, `${path}[]`, idPath) };
    case 'tuple': {
      const items = (d.items as core.$ZodType[]).map((item, i) =>
        visit(w, item, `${path}[${i}]`, idPath ? `${idPath}.${i}` : String(i)),
      );
      const node: ShapeNode = { tuple: items };
      if (d.rest) node.tupleRest = visit(w, d.rest as core.$ZodType, `${path}[]`, idPath);
      return node;
    }
    case 'record': {
      const keyType = d.keyType as core.$ZodType;
      if (getAnnotation(keyType) || hasAnnotationInside(keyType)) unsupported(w, path, 'on the keys of a record');
      return { record: visit(w, d.valueType as core.$ZodType, `${path}{}`, idPath) };
    }
    default:
      if (hasAnnotationInside(s)) unsupported(w, path, `inside a ${t}`);
      return OPAQUE.has(t) ? { opaque: true, leaves: [s] } : { scalar: true, leaves: [s] };
  }
}

/** `pd.none()`: a leaf declared not personal, which must hold no annotation and a declared shape. */
function visitNone(w: Walk, s: core.$ZodType, ann: Annotation, path: string): ShapeNode {
  if (hasAnnotationInside(s)) unsupported(w, path, 'inside a value declared pd.none()', ann.declaredAt);
  const any = acceptsAnyValue(s);
  if (any) {
    w.problems.push(
      problem(
        'PF_DECL_OPAQUE_FIELD',
        `${path || 'the value'}: declared not personal (pd.none()) but it accepts any value (${any}), so it can carry undeclared personal data; declare the shape it holds, and pd() for what is personal`,
        { schema: w.schemaId, path, declaredAt: ann.declaredAt },
      ),
    );
  }
  return { none: true, leaves: [s] };
}

/** `pd()`: a personal field, a leaf whatever its type, with no annotation inside it. */
function visitPersonal(
  w: Walk,
  s: core.$ZodType,
  ann: Annotation & { kind: 'personal' },
  path: string,
  idPath: string,
): ShapeNode {
  const info = makeField(w, ann.meta, ann.declaredAt, path, idPath, baseTypeOf(s));
  w.fields.push(info);
  if (hasAnnotationInside(s)) {
    w.problems.push(
      problem('PF_DECL_NESTED_ANNOTATION', `${path} is annotated and so is a field inside it`, {
        schema: w.schemaId,
        path,
        declaredAt: ann.declaredAt,
      }),
    );
  }
  return { field: info, leaves: [s] };
}

/** A lazy schema: a reference back to one being walked is recursion, merged in once the walk is over. */
function visitLazy(w: Walk, s: core.$ZodType, d: Def, path: string, idPath: string): ShapeNode {
  const back = w.active.get(s);
  if (back) return back;
  const node: ShapeNode = {};
  w.active.set(s, node);
  w.inProgress.add(node);
  const inner = visit(w, (d.getter as () => core.$ZodType)(), path, idPath);
  w.active.delete(s);
  w.inProgress.delete(node);
  return merge(w, node, inner, path);
}

/** A union: its options merged into one node, the options neither `pd()` nor `pd.none()` kept apart. */
function visitUnion(w: Walk, d: Def, path: string, idPath: string): ShapeNode {
  const acc: ShapeNode = {};
  const plain: core.$ZodType[] = [];
  for (const option of d.options as core.$ZodType[]) {
    const node = visit(w, option, path, idPath);
    // an option that is neither pd() nor pd.none(): kept apart, so that `deny` can leave it out beside an annotated one
    if (!node.field && !node.none && node.leaves) plain.push(...node.leaves.filter((l) => !holdsNoValue(l)));
    merge(w, acc, node, path);
  }
  if (plain.length) acc.plainOptions = acc.plainOptions ? [...acc.plainOptions, ...plain] : plain;
  return acc;
}

/** An object: its declared keys (reserved ones refused), then its catchall. */
function visitObject(w: Walk, s: core.$ZodType, d: Def, path: string, idPath: string): ShapeNode {
  // objects may recurse through getters in their shape (zod 4's recommended recursion)
  const back = w.active.get(s);
  if (back) return back;
  const node: ShapeNode = {};
  w.active.set(s, node);
  w.inProgress.add(node);
  const map = objectKeys(w, d.shape as Record<string, core.$ZodType>, path, idPath);
  const catchall = d.catchall as core.$ZodType | undefined;
  if (catchall && defOf(catchall).type !== 'never') {
    if (getAnnotation(catchall) || hasAnnotationInside(catchall)) unsupported(w, path, 'in the catchall of an object');
    w.problems.push(
      problem(
        'PF_DECL_OPAQUE_FIELD',
        `${path || 'the schema'} is a loose object: zod lets undeclared keys through (purposeful still rejects them inbound and drops them outbound)`,
        { schema: w.schemaId, path },
      ),
    );
  }
  w.active.delete(s);
  w.inProgress.delete(node);
  node.object = map;
  return node;
}

/** The declared keys of an object, each walked; `__proto__` and, at the root, the restriction column are refused. */
function objectKeys(w: Walk, shape: Record<string, core.$ZodType>, path: string, idPath: string): Map<string, ShapeNode> {
  const map = new Map<string, ShapeNode>();
  for (const key of Object.keys(shape)) {
    const childPath = keyPath(path, key);
    if (key === '__proto__') {
      w.problems.push(
        problem('PF_DECL_RESERVED_KEY', `${childPath}: "__proto__" cannot be a field name`, {
          schema: w.schemaId,
          path: childPath,
        }),
      );
      continue;
    }
    if (path === '' && key === RESTRICTION_COLUMN) {
      // the library writes a row's restriction (erasure, blocking): input must never set or clear it
      w.problems.push(
        problem('PF_DECL_RESERVED_KEY', `${childPath}: "${RESTRICTION_COLUMN}" is the row's restriction column, not a field`, {
          schema: w.schemaId,
          path: childPath,
          article: 'LGPD Art. 5 XIII, 16, 18 IV; GDPR Art. 17(3), 18',
        }),
      );
      continue;
    }
    map.set(key, visit(w, shape[key] as core.$ZodType, childPath, keyPath(idPath, key)));
  }
  return map;
}

/** After the walk, every reference to a recursive node is merged in, now that the node is complete; then the leaves are checked. */
function materialize(w: Walk, root: ShapeNode): void {
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
        merge(w, node, r, '');
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
  for (const node of seen) checkComplete(w, node);
}

/** A complete node: a personal field stays a leaf, and a union of two structures of one kind holds no personal field. */
function checkComplete(w: Walk, node: ShapeNode): void {
  // a personal field is a leaf: a union that also lets an object, array or any value through at its place would bypass it
  if (node.field && (node.object || node.array || node.record || node.tuple || node.opaque)) {
    w.problems.push(
      problem(
        'PF_DECL_CONFLICTING_ANNOTATIONS',
        `${node.field.path}: a union lets a structured or arbitrary value stand where a personal field is declared`,
        {
          schema: w.schemaId,
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
    ambiguous(w, node.field?.path ?? '', node.tuple ? 'an array and a tuple' : 'an object and a record');
  }
}
