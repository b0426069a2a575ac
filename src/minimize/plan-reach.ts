/**
 * What `unannotated: 'deny'` hides: the nodes of a schema's own shape tree, and
 * among them the places from which no annotation can be reached.
 *
 * @module
 * @internal
 */

import { type ShapeNode, shapeChildren } from '../schema/walk.js';

/**
 * The nodes of a schema's own shape tree (not the structure inside an annotated
 * or `pd.none()` leaf): where a scalar or opaque facet is an unannotated field.
 */
export function ownNodes(root: ShapeNode): Set<ShapeNode> {
  const seen = new Set<ShapeNode>();
  const stack = [root];
  while (stack.length) {
    const node = stack.pop() as ShapeNode;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...shapeChildren(node));
  }
  return seen;
}

const unheldCache = new WeakMap<ShapeNode, ReadonlySet<ShapeNode>>();

/**
 * Under `deny`: the places of the schema's own tree (the root aside) from which
 * no annotation, `pd()` or `pd.none()`, can be reached. Such a place is declared
 * for no purpose whatever it holds, and so is all its structure, recursion
 * included (`z.json()`, a lazy tree, an object holding itself): the plan hides
 * it whole, so it is left out outbound and reported inbound. Computed once per
 * schema, in time linear in its tree (reachability backwards from the
 * annotated places), since a recursive place cannot be decided from its children.
 */
export function unheldNodes(root: ShapeNode, own: ReadonlySet<ShapeNode>): ReadonlySet<ShapeNode> {
  const cached = unheldCache.get(root);
  if (cached) return cached;
  const parents = new Map<ShapeNode, ShapeNode[]>();
  const held = new Set<ShapeNode>();
  const stack: ShapeNode[] = [];
  for (const node of own) {
    for (const kid of shapeChildren(node)) {
      const list = parents.get(kid);
      if (list) list.push(node);
      else parents.set(kid, [node]);
    }
    if (node.field || node.none) {
      held.add(node);
      stack.push(node);
    }
  }
  while (stack.length) {
    for (const p of parents.get(stack.pop() as ShapeNode) ?? []) {
      if (held.has(p)) continue;
      held.add(p);
      stack.push(p);
    }
  }
  const unheld = new Set([...own].filter((n) => n !== root && !held.has(n)));
  unheldCache.set(root, unheld);
  return unheld;
}
