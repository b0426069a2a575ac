import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPurposeful, defineSchema, isPurposefulError, minimize, pd } from '../../src/index.js';
import { codeOf, purposes } from '../helpers/fixtures.js';

const email = () => pd(z.email(), { category: 'user.contact.email', purposes: ['support.ticket'] });

interface Tree {
  email?: string;
  children: Tree[];
}
const TreeNode: z.ZodType<Tree> = z.lazy(() => z.object({ email: email().optional(), children: z.array(TreeNode) }));
const Trees = defineSchema('tree', z.object({ root: TreeNode }), { purposes });
const flat = () =>
  z.object({
    email: email(),
    constructor: pd.none(z.string()).optional(),
    toString: pd.none(z.string()).optional(),
    tags: z.array(z.string()).optional(),
    meta: z.record(z.string(), z.string()).optional(),
  });
// unannotated `tags` and `meta` flow (and are walked) only with unannotated: 'allow'
const Flat = defineSchema('flat', flat(), { purposes, unannotated: 'allow' });
const Denying = defineSchema('flat-denying', flat(), { purposes });
const pf = createPurposeful({ purposes, schemas: [Trees, Flat, Denying] });
const ctx = { purpose: 'support.ticket', actor: { id: 'a' } } as const;

function deep(levels: number): Tree {
  let node: Tree = { children: [] };
  for (let i = 0; i < levels; i++) node = { children: [node] };
  return node;
}

describe('hostile data', () => {
  it('__proto__, constructor and prototype keys from JSON are rejected inbound and never copied', async () => {
    const body = JSON.parse(
      '{"email":"a@b.co","__proto__":{"polluted":true},"prototype":{"x":1},"meta":{"__proto__":{"y":1},"ok":"v"}}',
    );
    const err = await pf.inbound(Flat, body, ctx).catch((e: unknown) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_UNDECLARED_FIELD');
    expect(isPurposefulError(err) && [...err.paths].sort()).toEqual(['__proto__', 'meta.__proto__', 'prototype']);
    const stripped = minimize(Flat, 'support.ticket', body, { direction: 'inbound', undeclared: 'strip' }) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(stripped)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(stripped.meta)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(stripped).sort()).toEqual(['email', 'meta']);
    const out = minimize(Flat, 'support.ticket', body, { direction: 'outbound' }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(false);
  });

  it('keys named like Object.prototype members are copied only when they are own properties', () => {
    const out = minimize(Flat, 'support.ticket', { email: 'a@b.co' }, { direction: 'outbound' });
    expect(Object.keys(out)).toEqual(['email']);
    const own = minimize(Flat, 'support.ticket', { email: 'a@b.co', constructor: 'c', toString: 't' }, { direction: 'outbound' });
    expect(own).toEqual({ email: 'a@b.co', constructor: 'c', toString: 't' });
  });

  it('10,000 levels of nesting is a limit error, not a stack overflow', async () => {
    const body = { root: deep(10_000) };
    expect(codeOf(() => minimize(Trees, 'support.ticket', body, { direction: 'outbound' }))).toBe('PF_LIMIT_EXCEEDED');
    expect(codeOf(() => minimize(Trees, 'support.ticket', body, { direction: 'inbound' }))).toBe('PF_LIMIT_EXCEEDED');
    const err = await pf.inbound(Trees, body, ctx).catch((e: unknown) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_LIMIT_EXCEEDED');
    expect(isPurposefulError(err) && err.status).toBe(413);
  });

  it('nesting within the limit goes through, and the limit is configurable up to 1000', () => {
    const body = { root: deep(20) };
    expect(minimize(Trees, 'support.ticket', body, { direction: 'outbound' })).toEqual(body);
    expect(codeOf(() => minimize(Trees, 'support.ticket', body, { direction: 'outbound', maxDepth: 10 }))).toBe(
      'PF_LIMIT_EXCEEDED',
    );
    expect(codeOf(() => minimize(Trees, 'support.ticket', body, { direction: 'outbound', maxDepth: 1001 }))).toBe(
      'PF_OPTIONS_INVALID',
    );
    const deepOk = { root: deep(450) }; // each object and each array is a level: 900 levels
    expect(minimize(Trees, 'support.ticket', deepOk, { direction: 'outbound', maxDepth: 1000 })).toEqual(deepOk);
  });

  it('a cyclic object graph is a limit error', () => {
    const node: Tree = { children: [] };
    node.children.push(node);
    expect(codeOf(() => minimize(Trees, 'support.ticket', { root: node }, { direction: 'outbound' }))).toBe('PF_LIMIT_EXCEEDED');
  });

  it('by default unannotated `meta` is refused whole, hostile keys and all', async () => {
    const body = JSON.parse('{"email":"a@b.co","__proto__":{"polluted":true},"meta":{"__proto__":{"y":1},"ok":"v"}}');
    const err = await pf.inbound(Denying, body, ctx).catch((e: unknown) => e);
    expect(isPurposefulError(err) && [...err.paths].sort()).toEqual(['__proto__', 'meta']);
    const out = minimize(Denying, 'support.ticket', body, { direction: 'outbound' });
    expect(out).toEqual({ email: 'a@b.co' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('too many values is a limit error', () => {
    const tags = Array.from({ length: 200_001 }, () => 'x');
    expect(codeOf(() => minimize(Flat, 'support.ticket', { email: 'a@b.co', tags }, { direction: 'outbound' }))).toBe(
      'PF_LIMIT_EXCEEDED',
    );
    expect(
      codeOf(() =>
        minimize(Flat, 'support.ticket', { email: 'a@b.co', tags: tags.slice(0, 10) }, { direction: 'outbound', maxNodes: 5 }),
      ),
    ).toBe('PF_LIMIT_EXCEEDED');
  });

  it('a record that is not an object is refused', () => {
    for (const bad of [null, undefined, 'x', 42, [], [{ email: 'a@b.co' }]]) {
      expect(codeOf(() => minimize(Flat, 'support.ticket', bad, { direction: 'outbound' }))).toBe('PF_INPUT_INVALID');
    }
  });

  it('bad options are refused', () => {
    expect(codeOf(() => minimize(Flat, 'support.ticket', {}, { direction: 'sideways' as never }))).toBe('PF_OPTIONS_INVALID');
    expect(codeOf(() => minimize(Flat, 'support.ticket', {}, { direction: 'inbound', undeclared: 'keep' as never }))).toBe(
      'PF_OPTIONS_INVALID',
    );
    expect(codeOf(() => minimize(Flat, 'nope' as never, {}, { direction: 'inbound' }))).toBe('PF_PURPOSE_UNKNOWN');
  });
});
