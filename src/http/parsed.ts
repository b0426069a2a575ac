/**
 * The checks still possible on a body a framework parser already built:
 * nesting depth and prototype keys. Duplicate keys, invalid UTF-8 and the
 * streamed byte cap can only be checked on the raw bytes; the docs say so.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Walks a parsed body without recursion: too deep is a 413, a prototype key a 400. */
export function checkParsed(value: unknown, maxDepth: number): void {
  if (typeof value !== 'object' || value === null) return;
  const stack: Array<[object, number]> = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (depth > maxDepth) {
      throw new PurposefulError('PF_LIMIT_EXCEEDED', `the body is nested deeper than ${maxDepth} levels`, { reason: 'depth' });
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN.has(key)) {
        throw new PurposefulError('PF_BODY_INVALID', 'the body holds a "__proto__", "constructor" or "prototype" key', {
          reason: 'forbidden_key',
        });
      }
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
}
