/**
 * The HMAC secret of the desk's tokens: base64 in `SUPPORT_DESK_JWT_SECRET`
 * (the tests set it), else 32 random bytes — `next build` evaluates the route
 * modules without it.
 */
export function jwtSecret(): Uint8Array {
  const b64 = process.env.SUPPORT_DESK_JWT_SECRET;
  if (!b64) return crypto.getRandomValues(new Uint8Array(32));
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}
