/**
 * The checks on a parsed tree, nesting depth and prototype keys: for a body a
 * framework parser already built, and after the pipeline's own parse. On a
 * body parsed elsewhere, duplicate keys, invalid UTF-8 and the streamed byte
 * cap can no longer be checked; the docs say so.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks a parsed body without recursion: too deep is a 413, a prototype key a
 * 400. Returns the number of object keys in the tree, which `parseJson`
 * compares with the text's to find a repeated key.
 */
export function checkParsed(value: unknown, maxDepth: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  let keys = 0;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    const depth = depths.pop() as number;
    if (depth > maxDepth) {
      throw new PurposefulError('PF_LIMIT_EXCEEDED', `the body is nested deeper than ${maxDepth} levels`, { reason: 'depth' });
    }
    if (Array.isArray(node)) {
      for (const child of node) {
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN.has(key)) {
        throw new PurposefulError('PF_BODY_INVALID', 'the body holds a "__proto__", "constructor" or "prototype" key', {
          reason: 'forbidden_key',
        });
      }
      keys++;
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return keys;
}
