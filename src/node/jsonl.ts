/**
 * The access log as an append-only JSONL file: one event per line, a batch
 * written with one `write` and flushed to disk before the log counts it as
 * kept. A crash mid-write leaves at most a torn last line; it is detected and
 * reported, and nothing before it is lost. Before the next append, the torn
 * fragment is moved to `<file>.torn` and the file cut back to its last whole
 * line, so new events never fuse with it.
 *
 * @module
 */
import { appendFile, open, readFile, stat, truncate } from 'node:fs/promises';
import {
  type AccessEvent,
  type AccessLogSink,
  type Checkpoint,
  type CheckpointSink,
  matchesQuery,
  normalizeAccessQuery,
  PurposefulError,
} from 'purposeful';

/**
 * What a JSONL log file holds: its events, complete lines that are not events,
 * and a torn last line left by a crash.
 *
 * @example
 * ```ts
 * const { events, torn } = await readJsonlAccessLog('/var/log/app/access.jsonl');
 * if (torn) console.warn(`a write was cut at byte ${torn.offset} (${torn.bytes} bytes lost)`);
 * const report = await verifyAccessLog(events);
 * ```
 * @category Access log
 */
export interface JsonlContents {
  /** Every complete line, parsed (a line that is not JSON is kept as `{ malformed: true, line }` so verification reports it). */
  readonly events: readonly unknown[];
  /** A last line without its newline: where it starts and how long it is. */
  readonly torn?: { readonly offset: number; readonly bytes: number };
}

/**
 * Reads a JSONL access-log file (a missing file holds nothing).
 *
 * @example
 * ```ts
 * const { events } = await readJsonlAccessLog('access.jsonl');
 * ```
 * @category Access log
 */
export async function readJsonlAccessLog(path: string): Promise<JsonlContents> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [] };
    throw err;
  }
  const end = buf.lastIndexOf(0x0a) + 1;
  const events: unknown[] = [];
  let start = 0;
  let line = 0;
  while (start < end) {
    const nl = buf.indexOf(0x0a, start);
    line++;
    const text = buf.toString('utf8', start, nl);
    if (text.trim() !== '') {
      try {
        events.push(JSON.parse(text));
      } catch {
        events.push({ malformed: true, line });
      }
    }
    start = nl + 1;
  }
  return end < buf.length ? { events, torn: { offset: end, bytes: buf.length - end } } : { events };
}

/** Cuts a torn last line off the file, keeping the fragment beside it; returns what was cut. */
async function repairTail(path: string): Promise<JsonlContents['torn']> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (size === 0) return undefined;
  const fh = await open(path, 'r');
  try {
    // scan back for the last newline, a chunk at a time
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    let pos = size;
    let lastNl = -1;
    const first = await fh.read(chunk, 0, 1, size - 1);
    if (first.bytesRead === 1 && chunk[0] === 0x0a) return undefined;
    while (pos > 0 && lastNl < 0) {
      const from = Math.max(0, pos - chunk.length);
      const { bytesRead } = await fh.read(chunk, 0, pos - from, from);
      const i = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (i >= 0) lastNl = from + i;
      pos = from;
    }
    const offset = lastNl + 1;
    const fragment = Buffer.alloc(size - offset);
    await fh.read(fragment, 0, fragment.length, offset);
    await appendFile(`${path}.torn`, Buffer.concat([fragment, Buffer.from('\n')]));
    await truncate(path, offset);
    return { offset, bytes: fragment.length };
  } finally {
    await fh.close();
  }
}

/**
 * An access-log sink over an append-only JSONL file. One file per writer is
 * simplest; writers that share one file must share one sink. `onTorn` is told
 * when a torn last line from a crash is set aside (`<file>.torn`) before the
 * first append.
 *
 * @example
 * ```ts
 * import { jsonlAccessLogSink } from 'purposeful/node';
 * const audit = createAccessLog({ sink: jsonlAccessLogSink('/var/log/app/access.jsonl'), subjectKey });
 * ```
 * @category Access log
 */
export function jsonlAccessLogSink(
  path: string,
  options: { readonly fsync?: boolean; readonly onTorn?: (torn: { offset: number; bytes: number }) => void } = {},
): AccessLogSink {
  if (typeof path !== 'string' || path === '')
    throw new PurposefulError('PF_OPTIONS_INVALID', 'jsonlAccessLogSink() needs a file path');
  const fsync = options.fsync ?? true;
  let repaired = false;
  let tail: Promise<void> = Promise.resolve();
  const appendNow = async (events: readonly AccessEvent[]) => {
    if (!repaired) {
      const torn = await repairTail(path);
      if (torn) options.onTorn?.(torn);
      repaired = true;
    }
    const fh = await open(path, 'a');
    const before = (await fh.stat()).size;
    try {
      await fh.write(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      if (fsync) await fh.datasync();
    } catch (err) {
      // a batch not known to be written is taken back whole: the log retries it, and nothing is written twice or torn
      await truncate(path, before).catch(() => {});
      throw err;
    } finally {
      await fh.close();
    }
  };
  return {
    append(events) {
      // one write at a time, in order
      const next = tail.then(() => appendNow(events));
      tail = next.catch(() => {});
      return next;
    },
    async read(q) {
      const query = normalizeAccessQuery(q);
      await tail;
      const { events } = await readJsonlAccessLog(path);
      return events.filter((e) => matchesQuery(e as AccessEvent, query)) as AccessEvent[];
    },
    async inspect() {
      await tail;
      const { torn } = await readJsonlAccessLog(path);
      return torn ? { torn } : {};
    },
  };
}

/**
 * A checkpoint sink over its own JSONL file (keep it apart from the events,
 * ideally where the log's writer cannot write).
 *
 * @example
 * ```ts
 * const checkpoints = jsonlCheckpointSink('/var/lib/anchors/access-checkpoints.jsonl');
 * ```
 * @category Access log
 */
export function jsonlCheckpointSink(path: string): CheckpointSink {
  const events = jsonlAccessLogSink(path);
  return {
    append: (cp) => events.append([cp as unknown as AccessEvent]),
    read: async () => (await readJsonlAccessLog(path)).events as Checkpoint[],
  };
}
