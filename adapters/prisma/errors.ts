/**
 * Prisma's errors, made value-free: a Prisma error's message quotes the query's
 * arguments (a validation error prints them whole) and the database's detail
 * (`invalid input syntax for type uuid: "…"`), so none of it is passed on.
 * What goes on is Prisma's code (`P2002`) and the SQLSTATE under it.
 *
 * @module
 * @internal
 */
import { isPurposefulError, PurposefulError } from 'purposeful';

/** The SQLSTATE of a database error under a Prisma error (the driver adapter's), when there is one. */
export function sqlStateOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown, depth: number): string | undefined => {
    if (e === null || typeof e !== 'object' || depth > 4 || seen.has(e)) return undefined;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ['originalCode', 'code']) {
      const v = o[key];
      if (typeof v === 'string' && /^[0-9A-Z]{5}$/.test(v) && !/^P\d{4}$/.test(v)) return v;
    }
    for (const key of ['meta', 'driverAdapterError', 'cause']) {
      const found = walk(o[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(err, 0);
}

/** Prisma's code (`P2011`), or `undefined`. */
export function prismaCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? code : undefined;
}

/** ` (Prisma P2011, SQLSTATE 23502)`: the codes of a Prisma error, never its message; empty when none is known. */
export function storeCodes(err: unknown): string {
  const codes: string[] = [];
  const prisma = prismaCodeOf(err);
  if (prisma !== undefined) codes.push(`Prisma ${prisma}`);
  // the query did not fit the model (a required field set to null…): Prisma refused it before any SQL
  else if ((err as { name?: unknown } | null)?.name === 'PrismaClientValidationError') codes.push('Prisma validation');
  const state = sqlStateOf(err);
  if (state !== undefined) codes.push(`SQLSTATE ${state}`);
  return codes.length > 0 ? ` (${codes.join(', ')})` : '';
}

/**
 * Runs `run`; purposeful's own errors pass, any other becomes a value-free `PF_STORE_UNAVAILABLE` naming `target`
 * and the codes (Prisma's code, else the SQLSTATE, also as its `reason`): "a read of … failed" when `reading`, else "… did not take the change" and what `after` says.
 */
export async function valueFree<T>(
  run: () => Promise<T>,
  target: string,
  how: { readonly reading?: boolean; readonly after?: string; readonly schema?: string | undefined } = {},
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isPurposefulError(err)) throw err;
    const at = storeCodes(err);
    // the code to branch on (a unique violation, a write conflict): Prisma's, else the SQLSTATE; never a value
    const reason = prismaCodeOf(err) ?? sqlStateOf(err);
    throw new PurposefulError(
      'PF_STORE_UNAVAILABLE',
      how.reading
        ? `a read of ${target} failed${at}; its query and values are not shown`
        : `${target} did not take the change${at}: ${how.after ?? 'nothing of it was stored'}`,
      {
        ...(how.schema !== undefined ? { schema: how.schema } : {}),
        ...(reason !== undefined ? { reason } : {}),
      },
    );
  }
}
