import { sha256 } from '@noble/hashes/sha2.js';
import {
  createLocalJWKSet,
  errors,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Actor } from '../engine.js';
import { PurposefulError } from '../errors.js';
import { base64urlEncode } from '../util/base64url.js';
import { utf8 } from '../util/bytes.js';
import type { Jwk, JwkSet, JwtKeyResolver } from '../util/jwk.js';
import type { HeaderReader } from './route.js';

/**
 * Options of {@link actorFromJwt}. Give `jwks` (a key set, or jose's
 * `createRemoteJWKSet(url)`) or `key`.
 *
 * @example
 * ```ts
 * const options: JwtActorOptions = {
 *   jwks: createRemoteJWKSet(new URL('https://id.example.com/.well-known/jwks.json')),
 *   issuer: 'https://id.example.com',
 *   audience: 'support-api',
 *   rolesClaim: 'realm_access.roles', // Keycloak; a dotted path into the payload
 * };
 * ```
 * @category HTTP
 */
export interface JwtActorOptions {
  /** A JSON Web Key Set, or a key resolver such as jose's `createRemoteJWKSet`. */
  readonly jwks?: JwkSet | JwtKeyResolver;
  /** One verification key: a `CryptoKey`, a public JWK, or a secret for HS256/384/512. */
  readonly key?: CryptoKey | Jwk | Uint8Array;
  /** Expected `iss`. */
  readonly issuer: string | readonly string[];
  /** Expected `aud`. */
  readonly audience: string | readonly string[];
  /** The claim holding the roles, a dotted path (default `roles`): a list of strings or a space-separated string. */
  readonly rolesClaim?: string;
  /** Accepted `alg` values (default: what the key allows). */
  readonly algorithms?: readonly string[];
  /** Clock skew tolerated on `exp` / `nbf`, in seconds (default 0). */
  readonly clockTolerance?: number;
  /** `amr` values (RFC 8176) that count as a second factor. */
  readonly mfaMethods?: readonly string[];
  /** Verified tokens kept, by hash, until they expire (default 10,000; 0 disables the cache). */
  readonly cacheSize?: number;
}

/**
 * The `amr` values (RFC 8176) that prove a second factor by default: an
 * explicit `mfa` / `mca`, or a factor that is not a password.
 *
 * @example
 * ```ts
 * // accept only hardware keys and one-time codes as a second factor
 * actorFromJwt({ key, issuer, audience, mfaMethods: DEFAULT_MFA_METHODS.filter((m) => m === 'hwk' || m === 'otp') });
 * ```
 * @category HTTP
 */
export const DEFAULT_MFA_METHODS: readonly string[] = Object.freeze([
  'mfa',
  'mca',
  'otp',
  'hwk',
  'swk',
  'sc',
  'sms',
  'tel',
  'fpt',
  'face',
  'iris',
  'retina',
  'vbm',
]);

/**
 * A request as {@link actorFromJwt} needs it: its headers.
 *
 * @example
 * ```ts
 * const agent = actorFromJwt({ key, issuer, audience });
 * const actor = await agent({ headers: new Headers({ authorization: `Bearer ${token}` }) } satisfies WithHeaders);
 * ```
 * @category HTTP
 */
export interface WithHeaders {
  readonly headers: HeaderReader;
}

const unauthenticated = (reason: string, message: string): PurposefulError =>
  new PurposefulError('PF_UNAUTHENTICATED', message, { reason });

/**
 * Resolves the actor from a bearer token verified with jose: id from `sub`,
 * roles from `rolesClaim`, second factor from `amr`. A missing, malformed,
 * expired or wrongly signed token is a `PF_UNAUTHENTICATED` error (a 401
 * problem), never an anonymous actor. Tokens must carry `sub` and `exp`;
 * verified ones are cached by their SHA-256 until `exp`, so the hot path pays
 * one hash, not a signature check.
 *
 * @example
 * ```ts
 * import { actorFromJwt } from 'purposeful';
 *
 * const agent = actorFromJwt({ key: publicJwk, issuer: 'https://id.example.com', audience: 'support-api' });
 * app.get('/tickets/:id', purposeful(pf, { purpose: 'support.ticket', output: Ticket, actor: agent }, handler));
 * ```
 * @category HTTP
 */
export function actorFromJwt(options: JwtActorOptions): (req: WithHeaders) => Promise<Actor> {
  const fail = (message: string): never => {
    throw new PurposefulError('PF_OPTIONS_INVALID', `actorFromJwt: ${message}`);
  };
  if (typeof options !== 'object' || options === null) fail('options are required');
  const { jwks, key, issuer, audience, algorithms, clockTolerance = 0 } = options;
  if ((jwks === undefined) === (key === undefined)) fail('give exactly one of jwks or key');
  const nonEmpty = (v: unknown): boolean =>
    (typeof v === 'string' && v.length > 0) ||
    (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length > 0));
  if (!nonEmpty(issuer)) fail('issuer is required: tokens from any issuer would be accepted');
  if (!nonEmpty(audience)) fail('audience is required: tokens minted for other services would be accepted');
  const rolesPath = (options.rolesClaim ?? 'roles').split('.');
  if (rolesPath.some((s) => s.length === 0)) fail('rolesClaim must be a claim name or a dotted path');
  const mfaMethods = new Set(options.mfaMethods ?? DEFAULT_MFA_METHODS);
  const cacheSize = options.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) fail('cacheSize must be a non-negative integer');
  if (typeof clockTolerance !== 'number' || !(clockTolerance >= 0))
    fail('clockTolerance must be a non-negative number of seconds');

  let getKey: JWTVerifyGetKey | Promise<CryptoKey | Uint8Array>;
  if (typeof jwks === 'function') getKey = jwks as JWTVerifyGetKey;
  else if (jwks !== undefined) {
    if (!Array.isArray((jwks as JSONWebKeySet).keys)) fail('jwks must be a JSON Web Key Set { keys: [...] } or a key resolver');
    getKey = createLocalJWKSet(jwks as JSONWebKeySet);
  } else if (key instanceof Uint8Array) {
    if (key.byteLength < 32) fail('an HMAC secret must be at least 32 bytes');
    getKey = Promise.resolve(key);
  } else if (typeof key === 'object' && key !== null && 'kty' in key) {
    if ('d' in key || key.kty === 'oct') fail('key must be a public JWK (pass a secret as bytes)');
    if ((key as JWK).alg === undefined && !algorithms?.length) fail('a JWK key needs its alg, or the algorithms option');
    getKey = importJWK(key as JWK, (key as JWK).alg ?? algorithms?.[0]) as Promise<CryptoKey>;
    getKey.catch(() => {}); // reported on first use
  } else getKey = Promise.resolve(key as CryptoKey);

  const verifyOptions = {
    issuer: issuer as string | string[],
    audience: audience as string | string[],
    algorithms: algorithms as string[] | undefined,
    clockTolerance,
    requiredClaims: ['sub', 'exp'],
  };
  const cache = new Map<string, { readonly actor: Actor; readonly until: number }>();

  const toActor = (payload: JWTPayload): Actor => {
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
      throw unauthenticated('invalid_claims', 'the token has no subject (sub)');
    }
    let claim: unknown = payload;
    for (const seg of rolesPath) {
      claim =
        typeof claim === 'object' && claim !== null && Object.hasOwn(claim, seg)
          ? (claim as Record<string, unknown>)[seg]
          : undefined;
    }
    const roles =
      typeof claim === 'string'
        ? claim.split(' ').filter(Boolean)
        : Array.isArray(claim)
          ? claim.filter((r): r is string => typeof r === 'string')
          : [];
    const amr = Array.isArray(payload.amr) ? payload.amr : [];
    const mfa = amr.some((m) => typeof m === 'string' && mfaMethods.has(m));
    return Object.freeze({ id: payload.sub, roles: Object.freeze(roles), mfa });
  };

  return async (req) => {
    const header = req.headers.get('authorization');
    if (!header) throw unauthenticated('missing', 'a bearer token is required');
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
    if (!match) throw unauthenticated('malformed', 'the Authorization header is not a bearer token');
    const token = match[1] as string;
    const now = Date.now();
    let hash: string | undefined;
    if (cacheSize > 0) {
      hash = base64urlEncode(sha256(utf8(token)));
      const hit = cache.get(hash);
      if (hit !== undefined) {
        if (now < hit.until) return hit.actor;
        cache.delete(hash);
      }
    }
    let payload: JWTPayload;
    try {
      const k = typeof getKey === 'function' ? getKey : await getKey;
      ({ payload } = await jwtVerify(token, k as Uint8Array, verifyOptions));
    } catch (err) {
      throw unauthenticated(reasonOf(err), 'the bearer token could not be verified');
    }
    const actor = toActor(payload);
    if (hash !== undefined) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(hash, { actor, until: (payload.exp as number) * 1000 });
    }
    return actor;
  };
}

function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) return 'invalid_claims';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'invalid_signature';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (err instanceof errors.JWKSTimeout) return 'keys_unavailable';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  return 'invalid';
}
