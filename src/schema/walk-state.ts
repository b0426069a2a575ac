/**
 * The state of one schema walk, shared by its steps: what it has found so far
 * (fields, problems) and what it is inside of (objects and lazy schemas being
 * walked, for recursion), with the two problems several steps report.
 *
 * @module
 * @internal
 */
import type * as core from 'zod/v4/core';
import type { DeclarationProblem } from '../errors.js';
import type { Taxonomy } from '../taxonomy/categories.js';
import { problem } from './rules.js';
import type { FieldInfo, ShapeNode } from './walk.js';

/** One walk of a schema. */
export interface Walk {
  readonly schemaId: string;
  /** Decides sensitivity. */
  readonly taxonomy: Taxonomy;
  readonly problems: DeclarationProblem[];
  readonly fields: FieldInfo[];
  /** Objects and lazy schemas being walked: a reference back to one of them is recursion. */
  readonly active: Map<core.$ZodType, ShapeNode>;
  readonly inProgress: Set<ShapeNode>;
}

/** An annotation where purposeful cannot enforce it. */
export function unsupported(w: Walk, path: string, where: string, declaredAt?: string): void {
  w.problems.push(
    problem(
      'PF_DECL_ANNOTATION_UNSUPPORTED',
      `${path || 'the schema'}: an annotation ${where}, where purposeful cannot enforce it`,
      {
        schema: w.schemaId,
        path,
        declaredAt,
      },
    ),
  );
}

/** A union of two structures of one kind (two tuples, an object and a record, …) that holds personal fields. */
export function ambiguous(w: Walk, path: string, what: string): void {
  w.problems.push(
    problem(
      'PF_DECL_CONFLICTING_ANNOTATIONS',
      `${path || 'the value'}: a union of ${what} cannot be minimized unambiguously when it holds personal fields`,
      {
        schema: w.schemaId,
        path,
      },
    ),
  );
}
