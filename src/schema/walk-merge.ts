/**
 * Merging shape nodes: the options of a union, both sides of a pipe or an
 * intersection, and recursive nodes once their walk is complete.
 *
 * @module
 * @internal
 */
import { problem } from './rules.js';
import { type FieldInfo, keyPath, type ShapeNode } from './walk.js';
import { ambiguous, type Walk } from './walk-state.js';

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
 * Merges the facets of `b` into `a` (union options, both sides of a pipe or
 * intersection). A node still being walked (recursion) cannot be copied yet:
 * it is kept as a reference and merged once the walk is over.
 */
export function merge(w: Walk, a: ShapeNode, b: ShapeNode, path: string): ShapeNode {
  if (a === b) return a;
  if (w.inProgress.has(b)) {
    a.refs = [...(a.refs ?? []), b];
    return a;
  }
  if (b.refs) a.refs = [...(a.refs ?? []), ...b.refs];
  if (b.field) {
    if (a.field && a.field !== b.field) {
      if (JSON.stringify(fieldFingerprint(a.field)) !== JSON.stringify(fieldFingerprint(b.field))) {
        w.problems.push(
          problem(
            'PF_DECL_CONFLICTING_ANNOTATIONS',
            `the options of a union (or both sides of a pipe) annotate ${path || 'the value'} differently`,
            {
              schema: w.schemaId,
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
        a.object.set(k, existing ? merge(w, cloneNode(existing), v, keyPath(path, k)) : v);
      }
    }
  }
  if (b.array) a.array = a.array ? merge(w, cloneNode(a.array), b.array, `${path}[]`) : b.array;
  if (b.record) a.record = a.record ? merge(w, cloneNode(a.record), b.record, `${path}{}`) : b.record;
  if (b.tuple) {
    if (a.tuple && a.tuple !== b.tuple) ambiguous(w, path, 'two tuples');
    a.tuple = b.tuple;
  }
  if (b.tupleRest) a.tupleRest = b.tupleRest;
  return a;
}
