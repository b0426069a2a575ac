/**
 * `Register`: the project's purposes registry, declared once for the types,
 * so that `pd()` accepts only declared purposes and known categories.
 *
 * @module
 */
import type { BuiltinCategory } from '../taxonomy/categories.js';
import type { Purposes } from './purposes.js';

/**
 * Register the project's purposes registry here, once, and the types follow
 * it: `pd()` accepts only the purposes it declares (`purposes: ['suport.ticket']`
 * is a compile error) and only the built-in categories plus the custom ones it
 * declares (a misspelt category is a compile error), with autocomplete for
 * both; `purposefulRoute` (Fastify) checks a route's purpose the same way.
 * Without a registration, purposes are any string and categories offer the
 * built-in keys for autocomplete while accepting any string (the validator
 * still rejects unknown ones when the schema is defined).
 *
 * @example
 * ```ts
 * // declarations.ts
 * export const purposes = definePurposes({ 'support.ticket': { … }, 'billing.invoice': { … } },
 *   { categories: { 'user.contact.whatsapp': { description: 'WhatsApp number' } } });
 *
 * declare module 'purposeful' {
 *   interface Register {
 *     purposes: typeof purposes;
 *   }
 * }
 *
 * pd(z.string(), { category: 'user.contact.whatsapp', purposes: ['support.ticket'] }); // ok
 * pd(z.string(), { category: 'user.contact.whatsap', purposes: ['suport.ticket'] });   // two compile errors
 * ```
 * @category Declaring
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the application's module augmentation
export interface Register {}

/**
 * The purpose ids of the registered registry (see {@link Register}); `string`
 * when none is registered.
 *
 * @example
 * ```ts
 * // with `purposes: typeof purposes` registered
 * const purpose: RegisteredPurpose = 'support.ticket';
 * // @ts-expect-error: nobody declared it
 * const typo: RegisteredPurpose = 'suport.ticket';
 * ```
 * @category Declaring
 */
export type RegisteredPurpose = Register extends { readonly purposes: Purposes<infer P, string> } ? P : string;

/**
 * The categories `pd()` accepts: the built-in keys plus the registry's custom
 * ones when a registry is registered (see {@link Register}); otherwise the
 * built-in keys, offered for autocomplete, and any other string.
 *
 * @example
 * ```ts
 * const category: RegisteredCategory = 'user.contact.email'; // autocompleted
 * const phone = pd(z.string(), { category, purposes: ['support.ticket'], mask: 'phone' });
 * ```
 * @category Declaring
 */
export type RegisteredCategory = Register extends { readonly purposes: Purposes<string, infer C> }
  ? BuiltinCategory | C
  : BuiltinCategory | (string & {});
