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

/**
 * Builds the purpose's zod schema. `visible(meta)` says whether an annotated field is received; an unannotated
 * leaf (neither `pd()` nor `pd.none()`) is received only with `allowUnannotated`.
 */
export function projectZod(
  schema: PurposefulSchema,
  visible: (meta: FieldMeta) => boolean,
  allowUnannotated: boolean,
): core.$ZodType {
  const memo = new Map<core.$ZodType, core.$ZodType>();
  const holds = new Map<core.$ZodType, boolean>();
  const holdsAnnotation = (s: core.$ZodType): boolean => {
    let h = holds.get(s);
    if (h === undefined) {
      h = hasAnnotationInside(s);
      holds.set(s, h);
    }
    return h;
  };
  const withDef = (s: core.$ZodType, patch: Record<string, unknown>) =>
    core.util.clone(s, core.util.mergeDefs(s._zod.def, patch));

  const rebuild = (s: core.$ZodType): Out => {
    const ann = getAnnotation(s);
    if (ann?.kind === 'personal') return visible(ann.meta) ? s : HIDDEN;
    if (ann?.kind === 'none') return s;
    // denied, a place with no annotation at any depth is received for no purpose, whatever its type: left out whole
    // (a recursive one too, such as z.json(), which would otherwise keep its own recursion as arrays and records)
    if (!allowUnannotated && !holdsAnnotation(s)) return HIDDEN;
    const cached = memo.get(s);
    if (cached) return cached;
    const d = s._zod.def as Def;
    const t = d.type;
    if (WRAPPERS.has(t)) {
      const inner = rebuild(d.innerType as core.$ZodType);
      if (inner === HIDDEN) return HIDDEN;
      return inner === d.innerType ? s : withDef(s, { innerType: inner });
    }
    switch (t) {
      case 'object': {
        const shape = d.shape as Record<string, core.$ZodType>;
        const newShape: Record<string, core.$ZodType> = {};
        const clone = withDef(s, { shape: newShape });
        memo.set(s, clone);
        let changed = false;
        let kept = 0;
        const keys = Object.keys(shape);
        for (const key of keys) {
          const original = shape[key] as core.$ZodType;
          const r = rebuild(original);
          if (r === HIDDEN) {
            changed = true;
            continue;
          }
          if (r !== original) changed = true;
          newShape[key] = r;
          kept++;
        }
        memo.delete(s);
        if (!changed) return s;
        if (kept === 0 && keys.length > 0) return HIDDEN;
        memo.set(s, clone);
        return clone;
      }
      case 'lazy': {
        let resolved: core.$ZodType | undefined;
        const clone = withDef(s, {
          getter: () => {
            if (!resolved) {
              const r = rebuild((d.getter as () => core.$ZodType)());
              resolved = r === HIDDEN ? z.never() : r;
            }
            return resolved;
          },
        });
        memo.set(s, clone);
        return clone;
      }
      case 'array': {
        const el = rebuild(d.element as core.$ZodType);
        if (el === HIDDEN) return HIDDEN;
        return el === d.element ? s : withDef(s, { element: el });
      }
      case 'record': {
        const v = rebuild(d.valueType as core.$ZodType);
        if (v === HIDDEN) return HIDDEN;
        return v === d.valueType ? s : withDef(s, { valueType: v });
      }
      case 'union': {
        const options = d.options as core.$ZodType[];
        const each = options.map(rebuild);
        if (each.every((o) => o === HIDDEN)) return HIDDEN;
        // beside a received option, one that holds no value (`z.null()`, `z.undefined()`) carries no data: kept
        const rebuilt = each
          .map((o, i) => (o === HIDDEN && holdsNoValue(options[i] as core.$ZodType) ? (options[i] as core.$ZodType) : o))
          .filter((o): o is core.$ZodType => o !== HIDDEN);
        return rebuilt.length === options.length && rebuilt.every((o, i) => o === options[i])
          ? s
          : withDef(s, { options: rebuilt });
      }
      case 'intersection':
      case 'pipe': {
        const [ka, kb] = t === 'pipe' ? ['in', 'out'] : ['left', 'right'];
        const a = rebuild(d[ka] as core.$ZodType);
        const b = rebuild(d[kb] as core.$ZodType);
        if (a === HIDDEN && b === HIDDEN) return HIDDEN;
        // an intersection with one side entirely hidden is its visible side; a pipe needs both ends
        if (t === 'intersection' && (a === HIDDEN || b === HIDDEN)) return a === HIDDEN ? b : a;
        if (a === HIDDEN || b === HIDDEN) return HIDDEN;
        return a === d[ka] && b === d[kb] ? s : withDef(s, { [ka]: a, [kb]: b });
      }
      case 'tuple': {
        const items = d.items as core.$ZodType[];
        const rebuilt = items.map((item) => {
          const r = rebuild(item);
          return r === HIDDEN ? z.undefined() : r;
        });
        const rest = d.rest ? rebuild(d.rest as core.$ZodType) : null;
        const restOut = rest === HIDDEN ? null : rest;
        return rebuilt.every((r, i) => r === items[i]) && restOut === d.rest ? s : withDef(s, { items: rebuilt, rest: restOut });
      }
      default:
        return allowUnannotated ? s : HIDDEN;
    }
  };
  const out = rebuild(schema.zod);
  return out === HIDDEN ? z.object({}) : out;
}
