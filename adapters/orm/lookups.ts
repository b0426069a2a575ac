/**
 * What both ORM bindings read of a schema, compiled once when a schema is
 * bound: the top-level key of a field path, the encrypted fields under each
 * top-level key, the blind indexes of one top-level field, and the fields a
 * SQL `NULL` leaves absent.
 *
 * @module
 * @internal
 */
import type { FieldInfo, PurposefulSchema } from 'purposeful';

/** The top-level key of a field path: `address.city` → `address`, `contacts[].email` → `contacts`. */
export function topKey(path: string): string {
  const end = path.search(/[.[{]/);
  return end === -1 ? path : path.slice(0, end);
}

/** By top-level key (a column, a model field), the encrypted fields stored under it. */
export function encryptedByKey(schema: PurposefulSchema): Map<string, FieldInfo[]> {
  const out = new Map<string, FieldInfo[]>();
  for (const field of schema.fields) {
    if (!field.encrypt) continue;
    const key = topKey(field.path);
    out.set(key, [...(out.get(key) ?? []), field]);
  }
  return out;
}

/** By top-level field, the name of the blind index over that field alone (`encryptedOnly`: of an encrypted field). */
export function singleIndexes(schema: PurposefulSchema, encryptedOnly = false): Map<string, string> {
  const out = new Map<string, string>();
  for (const index of schema.indexes) {
    const only = index.fields.length === 1 ? index.fields[0] : undefined;
    if (only !== undefined && only.path === topKey(only.path) && (!encryptedOnly || only.encrypt)) out.set(only.path, index.name);
  }
  return out;
}

/**
 * The top-level keys of fields declared optional and not nullable, among those `stored` has: SQL has one `NULL` for
 * both, the schema tells which (such a `NULL` reads as an absent field).
 */
export function nullMeansAbsent(schema: PurposefulSchema, stored: (key: string) => boolean): string[] {
  const shape = (schema.zod as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape;
  return Object.keys(shape).filter((key) => {
    const field = shape[key];
    return stored(key) && field?.safeParse(undefined).success === true && !field.safeParse(null).success;
  });
}
