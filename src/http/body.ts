/**
 * Reading a request body the way a hostile client cannot exploit: a streamed
 * byte cap, fatal UTF-8 decoding, and a JSON parse that refuses duplicate
 * keys, prototype keys and deep nesting before anything is built. Errors name
 * the reason, never a byte of the payload.
 *
 * @module
 * @internal
 */
import { isPurposefulError, PurposefulError } from '../errors.js';
import { checkParsed } from './parsed.js';

/**
 * A Node readable stream as far as the body reader needs one (`IncomingMessage`, Fastify's payload).
 *
 * @example
 * ```ts
 * const source: NodeReadableLike = req; // an http.IncomingMessage
 * ```
 * @category HTTP
 */
export interface NodeReadableLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume?(): unknown;
}

/**
 * Where body bytes come from: a Web stream (fetch, Next.js) or a Node readable (Express, Fastify).
 *
 * @example
 * ```ts
 * const body: BodySource | null = request.body; // a Web Request's stream
 * ```
 * @category HTTP
 */
export type BodySource = ReadableStream<Uint8Array> | NodeReadableLike;

const bodyError = (reason: string, message: string): PurposefulError =>
  new PurposefulError('PF_BODY_INVALID', message, { reason });

const tooLarge = (limit: number): PurposefulError =>
  new PurposefulError('PF_LIMIT_EXCEEDED', `the body is larger than the ${limit}-byte limit`, { reason: 'body_size' });

/**
 * Reads a body up to `limit` bytes. A declared `Content-Length` over the limit
 * is refused before a byte is read; a stream that goes over it is cancelled at
 * the chunk that crosses it.
 */
export function readBody(
  source: BodySource | null | undefined,
  limit: number,
  declaredLength?: string | null,
): Promise<Uint8Array> {
  if (declaredLength != null && declaredLength !== '') {
    if (!/^\d{1,15}$/.test(declaredLength)) {
      return Promise.reject(bodyError('content_length', 'the Content-Length header is not a number'));
    }
    if (Number(declaredLength) > limit) return Promise.reject(tooLarge(limit));
  }
  if (source == null) return Promise.resolve(EMPTY);
  const body = new Collected(limit);
  if (isWebStream(source)) return readWebStream(source, body, limit);
  return new Promise((resolve, reject) => new NodeBodyReader(source, body, resolve, reject).start());
}

async function readWebStream(source: ReadableStream<Uint8Array>, body: Collected, limit: number): Promise<Uint8Array> {
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      body.take(value);
    }
  } catch (err) {
    if (isPurposefulError(err) && err.reason === 'body_size') await drain(reader, limit, 1000);
    reader.cancel().catch(() => {});
    throw isPurposefulError(err) ? err : bodyError('aborted', 'the body could not be read');
  } finally {
    reader.releaseLock();
  }
  return body.bytes();
}

/**
 * Reads and discards what is left of a refused body, up to `bytes` or `ms`:
 * a server that closes a connection with unread data resets it, and the
 * client, still sending, may never read the 413.
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, bytes: number, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
  });
  try {
    for (let n = 0; n < bytes; ) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === 'timeout' || next.done) return;
      n += next.value.byteLength;
    }
  } catch {
    // the client went away: nothing left to drain
  } finally {
    clearTimeout(timer);
  }
}

/** The chunks read so far, refused past the limit. */
class Collected {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  constructor(private readonly limit: number) {}

  take(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? ENCODER.encode(chunk) : chunk;
    this.size += bytes.byteLength;
    if (this.size > this.limit) throw tooLarge(this.limit);
    this.chunks.push(bytes);
  }

  /** The body in one piece. */
  bytes(): Uint8Array {
    return concat(this.chunks, this.size);
  }
}

const kReader = Symbol('purposeful.bodyReader');
type Reading = NodeReadableLike & { [kReader]?: NodeBodyReader | undefined };

// The listeners are the same four functions for every request: the stream
// they are called on (`this`) points to its reader, so no closure is made per read.
function onData(this: Reading, chunk: Uint8Array | string): void {
  this[kReader]?.data(chunk);
}
function onEnd(this: Reading): void {
  this[kReader]?.end();
}
function onError(this: Reading): void {
  this[kReader]?.error();
}

/**
 * One read of a Node stream. A Node stream is read with listeners rather than
 * async iteration: leaving the iteration early would destroy the socket, and
 * the client would get a reset instead of the 413 it is owed.
 */
class NodeBodyReader {
  constructor(
    private readonly stream: Reading,
    private readonly body: Collected,
    private readonly resolve: (bytes: Uint8Array) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  start(): void {
    const s = this.stream;
    s[kReader] = this;
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('error', onError); // an aborted request errors too (Node ≥ 16)
    s.on('close', onError); // destroyed without an error: closed before its end
    s.resume?.(); // a stream paused by earlier middleware would never end
  }

  private cleanup(): void {
    const s = this.stream;
    s[kReader] = undefined;
    s.removeListener('data', onData);
    s.removeListener('end', onEnd);
    s.removeListener('error', onError);
    s.removeListener('close', onError);
  }

  data(chunk: Uint8Array | string): void {
    try {
      this.body.take(chunk);
    } catch (err) {
      this.cleanup();
      this.stream.pause();
      this.reject(err);
    }
  }

  end(): void {
    this.cleanup();
    this.resolve(this.body.bytes());
  }

  error(): void {
    this.cleanup();
    this.reject(bodyError('aborted', 'the body could not be read'));
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 0) return EMPTY;
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const EMPTY = new Uint8Array(0);
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder('utf-8', { fatal: true });

function isWebStream(source: BodySource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream).getReader === 'function';
}

/** Decodes UTF-8, refusing invalid sequences (no silent U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return DECODER.decode(bytes);
  } catch {
    throw bodyError('utf8', 'the body is not valid UTF-8');
  }
}

/**
 * Parses JSON text strictly: nesting deeper than `maxDepth`, a duplicate key in
 * one object, or a `__proto__` / `constructor` / `prototype` key are refused.
 * A linear scan checks the depth and counts the keys before `JSON.parse`
 * builds anything; syntax is left to `JSON.parse`, whose message (it quotes the
 * input) is never passed on. `JSON.parse` keeps one value per key, so the
 * parsed tree holds fewer keys than the text exactly when a key was repeated
 * in some object: counting both finds duplicates without comparing a string.
 */
export function parseJson(text: string, maxDepth: number): unknown {
  const keysInText = scan(text, maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bodyError('json', 'the body is not valid JSON');
  }
  if (keysInText > 0 && checkParsed(value, maxDepth) !== keysInText) {
    throw bodyError('duplicate_key', 'the body repeats a key in one object');
  }
  return value;
}

/**
 * The structural scan: the depth (refused past `maxDepth`) and the number of
 * keys. It runs on text that may be malformed: when the text stops making
 * sense it returns, and `JSON.parse` reports the syntax error.
 */
let scanStack = new Uint8Array(65);

function scan(text: string, maxDepth: number): number {
  // per open container: 0 an array, 1 an object expecting a key, 2 an object past its key
  if (scanStack.length <= maxDepth) scanStack = new Uint8Array(maxDepth + 1);
  const stack = scanStack; // the scan is synchronous: one buffer serves every call
  let depth = 0;
  let keys = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // the closing quote: the next one not escaped by an odd run of backslashes
      let end = text.indexOf('"', i + 1);
      while (end > 0 && text.charCodeAt(end - 1) === 0x5c /* \ */) {
        let k = end - 1;
        while (k > i && text.charCodeAt(k) === 0x5c) k--;
        if ((end - 1 - k) % 2 === 0) break; // an even run: the quote is not escaped
        end = text.indexOf('"', end + 1);
      }
      if (end < 0) return keys; // unterminated string: a syntax error
      i = end;
      if (depth > 0 && stack[depth] === 1) {
        keys++;
        stack[depth] = 2;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth >= maxDepth) {
        throw new PurposefulError('PF_LIMIT_EXCEEDED', `the body is nested deeper than ${maxDepth} levels`, {
          reason: 'depth',
        });
      }
      stack[++depth] = c === 0x7b ? 1 : 0;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth === 0) return keys;
      depth--;
    } else if (c === 0x2c /* , */) {
      if (depth > 0 && stack[depth] === 2) stack[depth] = 1;
    }
  }
  return keys;
}

/** Media types the pipeline parses: `application/json` and `application/*+json`, in UTF-8. */
export function checkJsonMediaType(contentType: string | null | undefined): void {
  if (contentType === 'application/json' || contentType === 'application/json; charset=utf-8') return; // the usual ones
  const unsupported = (): never => {
    throw new PurposefulError('PF_MEDIA_TYPE_UNSUPPORTED', 'the body must be application/json in UTF-8');
  };
  if (!contentType) unsupported();
  const [essence = '', ...params] = (contentType as string).split(';');
  const type = essence.trim().toLowerCase();
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json'))) unsupported();
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') unsupported();
  }
}
