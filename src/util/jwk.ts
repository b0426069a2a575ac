/**
 * JSON Web Key types of the public API, declared here rather than imported
 * from `jose` (an ES module only): the CommonJS declarations then hold no
 * import a `require`-style consumer cannot follow. jose's own `JWK`,
 * `JSONWebKeySet` and `createRemoteJWKSet(url)` fit them as they are.
 *
 * @module
 */

/**
 * A JSON Web Key (RFC 7517): its `kty` and the members of its type.
 *
 * @example
 * ```ts
 * const publicKey: Jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', alg: 'EdDSA' };
 * ```
 * @category HTTP
 */
export interface Jwk {
  readonly kty?: string;
  readonly alg?: string;
  readonly kid?: string;
  readonly crv?: string;
  readonly [member: string]: unknown;
}

/**
 * A JSON Web Key Set (RFC 7517 §5): `{ keys: [...] }`.
 *
 * @example
 * ```ts
 * const keys: JwkSet = { keys: [publicKey] };
 * ```
 * @category HTTP
 */
export interface JwkSet {
  readonly keys: readonly Jwk[];
}

/**
 * A function that finds the verification key of a token from its protected
 * header, such as jose's `createRemoteJWKSet(url)`.
 *
 * @example
 * ```ts
 * import { createRemoteJWKSet } from 'jose';
 * const resolver: JwtKeyResolver = createRemoteJWKSet(new URL('https://id.example.com/.well-known/jwks.json'));
 * ```
 * @category HTTP
 */
export type JwtKeyResolver = (protectedHeader: never, token: never) => unknown;
