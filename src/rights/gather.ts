/**
 * Gathering a subject's records: the rows each registered source finds for
 * the subject, opened (decrypted) by the engine, with where they came from.
 *
 * @module
 * @internal
 */
import type { PurposefulSchema } from '../schema/define.js';
import type { RightsContext } from './context.js';

/** The subject's rows of one source, opened. */
export interface Gathered {
  readonly schema: PurposefulSchema;
  /** Where the data came from, as the subject is told. */
  readonly origin: string;
  readonly rows: Record<string, unknown>[];
}

/** The subject's rows of every registered source, opened. */
export async function gather(ctx: RightsContext, subjectId: string): Promise<Gathered[]> {
  const out: Gathered[] = [];
  for (const { schema, source } of ctx.sources) {
    const rows: Record<string, unknown>[] = [];
    for (const row of await source.find(subjectId)) rows.push(await ctx.internals.openAll(schema, row, subjectId));
    out.push({ schema, origin: source.origin ?? 'collected from you', rows });
  }
  return out;
}
