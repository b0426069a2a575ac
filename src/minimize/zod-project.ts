/**
 * The zod schema a purpose validates its input with: the declared schema with
 * every field the purpose may not receive taken out (so a field another
 * purpose requires does not make this purpose's input invalid). Built once per
 * (schema, purpose, roles); unchanged subtrees keep the original zod instances,
 * so their checks and refinements stay as declared.
 *
 * @module
 * @internal
 */
import { z } from 'zod';
import * as core from 'zod/v4/core';
import { type FieldMeta, getAnnotation } from '../schema/annotation.js';
import type { PurposefulSchema } from '../schema/define.js';
import { hasAnnotationInside, holdsNoValue } from '../schema/walk.js';

const HIDDEN = Symbol('hidden');
type Out = core.$ZodType | typeof HIDDEN;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

type Def = core.$ZodTypeDef & Record<string, unknown>;

/** One projection: what the purpose receives, and what it has rebuilt so far. */
interface Projection {
  readonly visible: (meta: FieldMeta) => boolean;
  readonly allowUnannotated: boolean;
  /** Schemas rebuilt (or being rebuilt: an object that recurses into itself meets its clone). */
  readonly memo: Map<core.$ZodType, core.$ZodType>;
  /** Whether an annotation sits inside a schema, remembered. */
  readonly holds: Map<core.$ZodType, boolean>;
}

/**
 * Builds the purpose's zod schema. `visible(meta)` says whether an annotated field is received; an unannotated
 * leaf (neither `pd()` nor `pd.none()`) is received only with `allowUnannotated`.
 */
export function projectZod(
  schema: PurposefulSchema,
  visible: (meta: FieldMeta) => boolean,
  allowUnannotated: boolean,
): core.$ZodType {
  const p: Projection = { visible, allowUnannotated, memo: new Map(), holds: new Map() };
  const out = rebuild(p, schema.zod);
  return out === HIDDEN ? z.object({}) : out;
}

function holdsAnnotation(p: Projection, s: core.$ZodType): boolean {
  let h = p.holds.get(s);
  if (h === undefined) {
    h = hasAnnotationInside(s);
    p.holds.set(s, h);
  }
  return h;
}

const withDef = (s: core.$ZodType, patch: Record<string, unknown>) => core.util.clone(s, core.util.mergeDefs(s._zod.def, patch));

/** A schema as the purpose receives it: itself when nothing inside it changes, a copy without what is hidden, or hidden. */
function rebuild(p: Projection, s: core.$ZodType): Out {
  const ann = getAnnotation(s);
  if (ann?.kind === 'personal') return p.visible(ann.meta) ? s : HIDDEN;
  if (ann?.kind === 'none') return s;
  // denied, a place with no annotation at any depth is received for no purpose, whatever its type: left out whole
  // (a recursive one too, such as z.json(), which would otherwise keep its own recursion as arrays and records)
  if (!p.allowUnannotated && !holdsAnnotation(p, s)) return HIDDEN;
  const cached = p.memo.get(s);
  if (cached) return cached;
  const d = s._zod.def as Def;
  const t = d.type;
  if (WRAPPERS.has(t)) {
    const inner = rebuild(p, d.innerType as core.$ZodType);
    if (inner === HIDDEN) return HIDDEN;
    return inner === d.innerType ? s : withDef(s, { innerType: inner });
  }
  switch (t) {
    case 'object':
      return rebuildObject(p, s, d);
    case 'lazy': {
      let resolved: core.$ZodType | undefined;
      const clone = withDef(s, {
        getter: () => {
          if (!resolved) {
            const r = rebuild(p, (d.getter as () => core.$ZodType)());
            resolved = r === HIDDEN ? z.never() : r;
          }
          return resolved;
        },
      });
      p.memo.set(s, clone);
      return clone;
    }
    case 'array': {
      const el = rebuild(p, d.element as core.$ZodType);
      if (el === HIDDEN) return HIDDEN;
      return el === d.element ? s : withDef(s, { element: el });
    }
    case 'record': {
      const v = rebuild(p, d.valueType as core.$ZodType);
      if (v === HIDDEN) return HIDDEN;
      return v === d.valueType ? s : withDef(s, { valueType: v });
    }
    case 'union':
      return rebuildUnion(p, s, d);
    case 'intersection':
    case 'pipe':
      return rebuildPair(p, s, d);
    case 'tuple':
      return rebuildTuple(p, s, d);
    default:
      return p.allowUnannotated ? s : HIDDEN;
  }
}

/** An object without its hidden keys (hidden itself when it had keys and keeps none). */
function rebuildObject(p: Projection, s: core.$ZodType, d: Def): Out {
  const shape = d.shape as Record<string, core.$ZodType>;
  const newShape: Record<string, core.$ZodType> = {};
  const clone = withDef(s, { shape: newShape });
  p.memo.set(s, clone);
  let changed = false;
  let kept = 0;
  const keys = Object.keys(shape);
  for (const key of keys) {
    const original = shape[key] as core.$ZodType;
    const r = rebuild(p, original);
    if (r === HIDDEN) {
      changed = true;
      continue;
    }
    if (r !== original) changed = true;
    newShape[key] = r;
    kept++;
  }
  p.memo.delete(s);
  if (!changed) return s;
  if (kept === 0 && keys.length > 0) return HIDDEN;
  p.memo.set(s, clone);
  return clone;
}

/** A union without its hidden options. */
function rebuildUnion(p: Projection, s: core.$ZodType, d: Def): Out {
  const options = d.options as core.$ZodType[];
  const each = options.map((o) => rebuild(p, o));
  if (each.every((o) => o === HIDDEN)) return HIDDEN;
  // beside a received option, one that holds no value (`z.null()`, `z.undefined()`) carries no data: kept
  const rebuilt = each
    .map((o, i) => (o === HIDDEN && holdsNoValue(options[i] as core.$ZodType) ? (options[i] as core.$ZodType) : o))
    .filter((o): o is core.$ZodType => o !== HIDDEN);
  return rebuilt.length === options.length && rebuilt.every((o, i) => o === options[i]) ? s : withDef(s, { options: rebuilt });
}

/** An intersection (its visible side, or both) or a pipe (both ends, or hidden). */
function rebuildPair(p: Projection, s: core.$ZodType, d: Def): Out {
  const t = d.type;
  const [ka, kb] = t === 'pipe' ? ['in', 'out'] : ['left', 'right'];
  const a = rebuild(p, d[ka] as core.$ZodType);
  const b = rebuild(p, d[kb] as core.$ZodType);
  if (a === HIDDEN && b === HIDDEN) return HIDDEN;
  // an intersection with one side entirely hidden is its visible side; a pipe needs both ends
  if (t === 'intersection' && (a === HIDDEN || b === HIDDEN)) return a === HIDDEN ? b : a;
  if (a === HIDDEN || b === HIDDEN) return HIDDEN;
  return a === d[ka] && b === d[kb] ? s : withDef(s, { [ka]: a, [kb]: b });
}

/** A tuple whose hidden items become `z.undefined()` and whose hidden rest is dropped. */
function rebuildTuple(p: Projection, s: core.$ZodType, d: Def): Out {
  const items = d.items as core.$ZodType[];
  const rebuilt = items.map((item) => {
    const r = rebuild(p, item);
    return r === HIDDEN ? z.undefined() : r;
  });
  const rest = d.rest ? rebuild(p, d.rest as core.$ZodType) : null;
  const restOut = rest === HIDDEN ? null : rest;
  return rebuilt.every((r, i) => r === items[i]) && restOut === d.rest ? s : withDef(s, { items: rebuilt, rest: restOut });
}
