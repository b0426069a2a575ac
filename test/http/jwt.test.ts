import { exportJWK, generateKeyPair, type JWTVerifyGetKey, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { actorFromJwt, isPurposefulError } from '../../src/index.js';

const ISS = 'https://id.example.com';
const AUD = 'support-api';
const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
const other = await generateKeyPair('ES256');

const req = (token?: string) => ({ headers: new Headers(token === undefined ? {} : { authorization: `Bearer ${token}` }) });

function sign(
  claims: Record<string, unknown>,
  opts: { sub?: string | null; exp?: number | null; key?: CryptoKey; iss?: string; aud?: string } = {},
) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(opts.iss ?? ISS)
    .setAudience(opts.aud ?? AUD);
  if (opts.sub !== null) jwt.setSubject(opts.sub ?? 'agent-7');
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600);
  return jwt.sign(opts.key ?? privateKey);
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    expect(err.status).toBe(401);
    return err.reason ?? '';
  }
  throw new Error('expected a refusal');
}

describe('actorFromJwt', () => {
  const agent = actorFromJwt({ jwks: { keys: [publicJwk] }, issuer: ISS, audience: AUD });

  it('resolves id, roles and second factor', async () => {
    expect(await agent(req(await sign({ roles: ['support'], amr: ['pwd', 'otp'] })))).toEqual({
      id: 'agent-7',
      roles: ['support'],
      mfa: true,
    });
    expect(await agent(req(await sign({ roles: ['support'], amr: ['pwd'] })))).toMatchObject({ mfa: false });
    expect(await agent(req(await sign({})))).toEqual({ id: 'agent-7', roles: [], mfa: false });
  });

  it('reads roles from a dotted claim path or a space-separated string', async () => {
    const keycloak = actorFromJwt({ key: publicJwk, issuer: ISS, audience: AUD, rolesClaim: 'realm_access.roles' });
    expect((await keycloak(req(await sign({ realm_access: { roles: ['billing', 7] } })))).roles).toEqual(['billing']);
    const scoped = actorFromJwt({ key: publicKey, issuer: ISS, audience: AUD, rolesClaim: 'scope' });
    expect((await scoped(req(await sign({ scope: 'support  supervisor' })))).roles).toEqual(['support', 'supervisor']);
  });

  it('never yields an actor without a valid token', async () => {
    expect(await refusal(agent(req()))).toBe('missing');
    expect(await refusal(agent({ headers: new Headers({ authorization: 'Basic YTpi' }) }))).toBe('malformed');
    expect(await refusal(agent(req('not a token')))).toBe('malformed');
    expect(await refusal(agent(req('a.b.c')))).toBe('invalid');
    expect(await refusal(agent(req(await sign({}, { exp: Math.floor(Date.now() / 1000) - 5 }))))).toBe('expired');
    expect(await refusal(agent(req(await sign({}, { key: other.privateKey }))))).toBe('invalid_signature');
    expect(await refusal(agent(req(await sign({}, { iss: 'https://evil.example' }))))).toBe('invalid_claims');
    expect(await refusal(agent(req(await sign({}, { aud: 'another-api' }))))).toBe('invalid_claims');
    expect(await refusal(agent(req(await sign({}, { sub: null }))))).toBe('invalid_claims');
    expect(await refusal(agent(req(await sign({}, { exp: null }))))).toBe('invalid_claims');
  });

  it('refuses alg=none and HMAC tokens when the key is asymmetric', async () => {
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    const payload = header({ sub: 'x', iss: ISS, aud: AUD, exp: Math.floor(Date.now() / 1000) + 60, roles: ['billing'] });
    await refusal(agent(req(`${header({ alg: 'none' })}.${payload}.`)));
    const hs = await new SignJWT({ roles: ['billing'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('x')
      .setIssuer(ISS)
      .setAudience(AUD)
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    await refusal(agent(req(hs)));
  });

  it('caches verified tokens by hash until they expire: one signature check per token', async () => {
    let lookups = 0;
    const { createLocalJWKSet } = await import('jose');
    const set = createLocalJWKSet({ keys: [publicJwk] });
    const counting: JWTVerifyGetKey = (h, t) => {
      lookups++;
      return set(h, t);
    };
    const cached = actorFromJwt({ jwks: counting, issuer: ISS, audience: AUD });
    const token = await sign({ roles: ['support'] });
    for (let i = 0; i < 5; i++) expect((await cached(req(token))).id).toBe('agent-7');
    expect(lookups).toBe(1);
    // a token that expires is verified again (and refused)
    const soon = await sign({}, { exp: Math.floor(Date.now() / 1000) + 1 });
    await cached(req(soon));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await refusal(cached(req(soon)))).toBe('expired');
    // without a cache every call verifies
    lookups = 0;
    const uncached = actorFromJwt({ jwks: counting, issuer: ISS, audience: AUD, cacheSize: 0 });
    await uncached(req(token));
    await uncached(req(token));
    expect(lookups).toBe(2);
  });

  it('bounds the cache', async () => {
    let lookups = 0;
    const { createLocalJWKSet } = await import('jose');
    const set = createLocalJWKSet({ keys: [publicJwk] });
    const small = actorFromJwt({
      jwks: (h, t) => {
        lookups++;
        return set(h, t);
      },
      issuer: ISS,
      audience: AUD,
      cacheSize: 2,
    });
    const [a, b, c] = await Promise.all([sign({ n: 1 }), sign({ n: 2 }), sign({ n: 3 })]);
    for (const t of [a, b, c, a]) await small(req(t as string));
    expect(lookups).toBe(4); // a was evicted by c
  });

  it('checks its options once', () => {
    const bad = (o: object) => {
      try {
        actorFromJwt(o as never);
      } catch (err) {
        return isPurposefulError(err) && err.code;
      }
      return 'accepted';
    };
    expect(bad({ issuer: ISS, audience: AUD })).toBe('PF_OPTIONS_INVALID');
    expect(bad({ key: publicKey, jwks: { keys: [] }, issuer: ISS, audience: AUD })).toBe('PF_OPTIONS_INVALID');
    expect(bad({ key: publicKey, audience: AUD })).toBe('PF_OPTIONS_INVALID');
    expect(bad({ key: publicKey, issuer: ISS })).toBe('PF_OPTIONS_INVALID');
    expect(bad({ key: new Uint8Array(16), issuer: ISS, audience: AUD })).toBe('PF_OPTIONS_INVALID');
    expect(bad({ key: { kty: 'oct', k: 'abc' }, issuer: ISS, audience: AUD })).toBe('PF_OPTIONS_INVALID');
    expect(bad({ jwks: { nope: 1 }, issuer: ISS, audience: AUD })).toBe('PF_OPTIONS_INVALID');
    expect(bad({ key: publicKey, issuer: ISS, audience: AUD, cacheSize: -1 })).toBe('PF_OPTIONS_INVALID');
    expect(bad({ key: publicKey, issuer: ISS, audience: AUD })).toBe('accepted');
  });

  it('never puts the token in an error', async () => {
    const token = await sign({}, { key: other.privateKey });
    try {
      await agent(req(token));
    } catch (err) {
      expect(JSON.stringify((err as { toJSON(): unknown }).toJSON())).not.toContain(token.split('.')[1]);
      expect(String(err)).not.toContain(token.split('.')[1]);
    }
  });
});
