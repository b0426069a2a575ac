/**
 * Verification of access logs: every chain walked link by link, and signed
 * checkpoints checked against it, so an edited, deleted, inserted or
 * reordered event, a rewritten history, cut-off newest events, a whole chain
 * deleted and a chain nobody announced are caught.
 *
 * @module
 */
import { CompactSign, compactVerify, createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { PurposefulError } from '../errors.js';
import type { Jwk, JwkSet } from '../util/jwk.js';
import { type AccessEvent, accessEventHash, GENESIS_HASH } from './event.js';
import type { Checkpoint } from './sink.js';

/**
 * Why a chain is broken at an event.
 *
 * @example
 * ```ts
 * const report = await log.verify();
 * if (report.broken?.reason === 'hash_mismatch') console.error(`event ${report.broken.seq} was edited`);
 * ```
 * @category Access log
 */
export type BrokenReason =
  /** The event's content does not give its hash: edited. */
  | 'hash_mismatch'
  /** The event does not point at the one before it: an event was replaced or the chain relinked. */
  | 'prev_mismatch'
  /** A sequence number is missing: events were deleted. */
  | 'sequence_gap'
  /** A sequence number repeats or goes back: events were inserted or reordered. */
  | 'sequence_out_of_order'
  /** A chain does not start at 1 from the genesis hash: its first events were deleted. */
  | 'chain_start'
  /** Not an access event (missing or mistyped properties). */
  | 'malformed'
  /** A checkpoint's signature does not verify with the keys given. */
  | 'checkpoint_invalid'
  /** A checkpoint names an event whose hash differs: the history was rewritten after it was anchored. */
  | 'checkpoint_mismatch'
  /** A checkpoint names an event the log no longer has: the newest events were cut off. */
  | 'truncated'
  /** A chain announced and anchored by signed checkpoints has no event left: the whole chain was deleted. */
  | 'chain_missing'
  /** A chain has no signed announcement: it was fabricated (or written by a log without the checkpoint sink). */
  | 'unannounced';

/**
 * The result of verifying a log.
 *
 * @example
 * ```ts
 * const report: AccessLogVerification = await log.verify({ keys: checkpointJwks });
 * if (!report.ok) alert(`access log broken: ${report.broken?.chain} #${report.broken?.seq} (${report.broken?.reason})`);
 * else if (report.unanchored > 0) console.warn(`${report.unanchored} event(s) after the last checkpoint`);
 * ```
 * @category Access log
 */
export interface AccessLogVerification {
  /** No broken link and no failed checkpoint. */
  readonly ok: boolean;
  /** Events walked. */
  readonly events: number;
  /** The first broken link, in stored order. */
  readonly broken?: { readonly chain: string; readonly seq: number; readonly reason: BrokenReason; readonly message: string };
  /** Every chain the log holds, and with checkpoints every chain announced (`events: 0` for a writer that wrote nothing). */
  readonly chains: readonly {
    readonly chain: string;
    readonly events: number;
    readonly lastSeq: number;
    readonly lastHash: string;
    /** The highest sequence number a valid checkpoint anchors (0: none). */
    readonly anchoredThrough: number;
  }[];
  /** Events after the last checkpoint of their chain: intact as far as the chain shows, but not anchored. */
  readonly unanchored: number;
  /** A file sink's torn last line (a write cut by a crash): the events before it are intact, the one in it is lost. */
  readonly torn?: { readonly offset: number; readonly bytes: number };
}

/**
 * What a checkpoint signs.
 *
 * @example
 * ```ts
 * const claims: CheckpointClaims = { v: 1, chain: log.chain, seq: 1000, hash: 'ab12…', time: new Date().toISOString() };
 * ```
 * @category Access log
 */
export interface CheckpointClaims {
  readonly v: 1;
  readonly chain: string;
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
}

/**
 * Signs checkpoint claims into a compact JWS. Supply your own to sign in a
 * KMS or a separate service, so the log's writer never holds the key.
 *
 * @example
 * ```ts
 * const sign: CheckpointSign = async (claims) => kms.signJws('audit-anchor', JSON.stringify(claims));
 * ```
 * @category Access log
 */
export type CheckpointSign = (claims: CheckpointClaims) => Promise<string>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A checkpoint signer over a private Ed25519 (or P-256) key, with jose. In
 * production keep the key away from the log's writer (a separate service or a
 * KMS) and pass its signing function instead.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
 * const sign = checkpointSigner({ key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'anchor-2026' });
 * const keys = { keys: [{ ...(await exportJWK(publicKey)), kid: 'anchor-2026', alg: 'EdDSA' }] }; // for verify()
 * ```
 * @category Access log
 */
export function checkpointSigner(signer: {
  readonly key: Jwk | CryptoKey;
  readonly alg: 'EdDSA' | 'Ed25519' | 'ES256';
  readonly kid?: string;
}): CheckpointSign {
  if (typeof signer !== 'object' || signer === null || !['EdDSA', 'Ed25519', 'ES256'].includes(signer.alg)) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'checkpointSigner() needs { key, alg: "EdDSA" | "Ed25519" | "ES256" }');
  }
  if ('kty' in signer.key && signer.key.d === undefined) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'checkpointSigner() needs the private key (a JWK with "d")');
  }
  let key: Promise<CryptoKey | Uint8Array> | undefined;
  return async (claims) => {
    key ??= 'kty' in signer.key ? importJWK(signer.key as JWK, signer.alg) : Promise.resolve(signer.key as CryptoKey);
    return new CompactSign(encoder.encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: signer.alg, typ: 'purposeful-checkpoint+jws', ...(signer.kid ? { kid: signer.kid } : {}) })
      .sign(await key);
  };
}

function isEvent(e: unknown): e is AccessEvent {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return (
    x.v === 1 &&
    typeof x.chain === 'string' &&
    Number.isSafeInteger(x.seq) &&
    (x.seq as number) >= 1 &&
    typeof x.prev === 'string' &&
    HEX64.test(x.prev) &&
    typeof x.hash === 'string' &&
    HEX64.test(x.hash)
  );
}

async function readCheckpoint(cp: Checkpoint, keys: ReturnType<typeof createLocalJWKSet>): Promise<CheckpointClaims | undefined> {
  try {
    const { payload } = await compactVerify(cp.jws, keys, { algorithms: ['EdDSA', 'Ed25519', 'ES256'] });
    const claims = JSON.parse(decoder.decode(payload)) as CheckpointClaims;
    if (
      claims.v !== 1 ||
      typeof claims.chain !== 'string' ||
      !Number.isSafeInteger(claims.seq) ||
      claims.seq < 0 ||
      typeof claims.hash !== 'string' ||
      !HEX64.test(claims.hash) ||
      // an announcement (sequence 0) anchors the start of a chain, nothing else
      (claims.seq === 0 && claims.hash !== GENESIS_HASH)
    ) {
      return undefined;
    }
    return claims;
  } catch {
    return undefined;
  }
}

/**
 * Walks an access log in stored order and returns the first broken link. With
 * the public keys that sign checkpoints, it also anchors each chain: a
 * checkpoint that does not verify, that names an event whose hash differs, or
 * that names an event the log no longer has breaks the log (`truncated`, or
 * `chain_missing` when none is left); so does a chain without a signed
 * announcement (`unannounced`). Events after the last valid checkpoint of
 * their chain are counted as unanchored. Values are never read or echoed:
 * only chains, sequence numbers and hashes.
 *
 * @example
 * ```ts
 * const report = await verifyAccessLog(await sink.read(), { checkpoints: await cpSink.read(), keys: jwks });
 * report.ok;          // false after any edit, deletion, insertion or reordering
 * report.broken;      // { chain, seq, reason: 'hash_mismatch', message }
 * report.unanchored;  // events newer than the last checkpoint
 * ```
 * @category Access log
 */
export async function verifyAccessLog(
  events: Iterable<unknown>,
  options: { readonly checkpoints?: readonly Checkpoint[]; readonly keys?: JwkSet } = {},
): Promise<AccessLogVerification> {
  const checkpoints = options.checkpoints ?? [];
  if (checkpoints.length > 0 && options.keys === undefined) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'verifying checkpoints needs the public keys that sign them (keys: a JWKS)');
  }
  const jwks = options.keys ? createLocalJWKSet(options.keys as JSONWebKeySet) : undefined;
  const { anchors, invalid } = await anchorsOf(checkpoints, jwks);
  let broken: Broken | undefined = invalid;
  const chains = new Map<string, ChainState>();
  let count = 0;
  const stored = Array.isArray(events) ? (events as readonly unknown[]) : [...events];
  for (const e of stored) {
    count++;
    if (broken) continue;
    broken = followLink(e, count, stored, chains, anchors, jwks !== undefined);
  }
  broken = cutOffAnchors(anchors, chains, broken);
  const list = [...chains].map(([chain, c]) => ({ chain, ...c }));
  const unanchored = list.reduce((n, c) => n + (c.lastSeq - c.anchoredThrough), 0);
  return {
    ok: broken === undefined,
    events: count,
    ...(broken ? { broken } : {}),
    chains: list,
    unanchored,
  };
}

type Broken = NonNullable<AccessLogVerification['broken']>;
/** By chain and sequence number: what each signed checkpoint says the chain held. */
type Anchors = Map<string, Map<number, string>>;
interface ChainState {
  events: number;
  lastSeq: number;
  lastHash: string;
  anchoredThrough: number;
}

/** The anchors of the checkpoints that verify, and the first that does not. */
async function anchorsOf(
  checkpoints: readonly Checkpoint[],
  jwks: ReturnType<typeof createLocalJWKSet> | undefined,
): Promise<{ readonly anchors: Anchors; readonly invalid: Broken | undefined }> {
  const anchors: Anchors = new Map();
  let invalid: Broken | undefined;
  for (const cp of checkpoints) {
    const claims = jwks ? await readCheckpoint(cp, jwks) : undefined;
    if (!claims) {
      invalid ??= {
        chain: String(cp?.chain),
        seq: Number(cp?.seq) || 0,
        reason: 'checkpoint_invalid',
        message: 'a checkpoint does not verify with the keys given',
      };
      continue;
    }
    const m = anchors.get(claims.chain) ?? new Map<number, string>();
    anchors.set(claims.chain, m);
    m.set(claims.seq, claims.hash);
  }
  return { anchors, invalid };
}

/**
 * Checks the `count`-th stored entry against the state of its chain (its start, announcement, sequence, link,
 * hash and anchor) and advances the chain; returns the break it finds.
 */
function followLink(
  e: unknown,
  count: number,
  stored: readonly unknown[],
  chains: Map<string, ChainState>,
  anchors: Anchors,
  announcementsRequired: boolean,
): Broken | undefined {
  if (!isEvent(e)) {
    const x = (e ?? {}) as { chain?: unknown; seq?: unknown };
    return {
      chain: String(x.chain),
      seq: Number(x.seq) || 0,
      reason: 'malformed',
      message: `entry ${count} is not an access event`,
    };
  }
  const state = chains.get(e.chain);
  const at = (reason: BrokenReason, message: string): Broken => ({ chain: e.chain, seq: e.seq, reason, message });
  if (!state) {
    if (e.seq !== 1 || e.prev !== GENESIS_HASH) {
      return at('chain_start', `chain ${e.chain} starts at event ${e.seq}, not at 1 from the genesis hash`);
    }
    if (announcementsRequired && !anchors.get(e.chain)?.has(0)) {
      return at('unannounced', `chain ${e.chain} was never announced by a signed checkpoint`);
    }
  } else if (e.seq <= state.lastSeq) {
    return at('sequence_out_of_order', `event ${e.seq} of chain ${e.chain} comes after event ${state.lastSeq}`);
  } else if (e.seq !== state.lastSeq + 1) {
    // a missing number that turns up later was moved, not deleted
    const last = state.lastSeq;
    const later = stored.slice(count).some((x) => isEvent(x) && x.chain === e.chain && x.seq > last && x.seq < e.seq);
    if (later) return at('sequence_out_of_order', `event ${e.seq} of chain ${e.chain} comes before event ${last + 1}`);
    return at('sequence_gap', `events ${last + 1}–${e.seq - 1} of chain ${e.chain} are missing`);
  } else if (e.prev !== state.lastHash) {
    return at('prev_mismatch', `event ${e.seq} of chain ${e.chain} does not point at event ${state.lastSeq}`);
  }
  let hash: string;
  try {
    hash = accessEventHash(e);
  } catch {
    return at('malformed', `event ${e.seq} of chain ${e.chain} is not JSON`);
  }
  if (hash !== e.hash) {
    return at('hash_mismatch', `event ${e.seq} of chain ${e.chain} was altered: its content does not give its hash`);
  }
  const next = state ?? { events: 0, lastSeq: 0, lastHash: GENESIS_HASH, anchoredThrough: 0 };
  next.events++;
  next.lastSeq = e.seq;
  next.lastHash = e.hash;
  const anchored = anchors.get(e.chain)?.get(e.seq);
  if (anchored !== undefined) {
    if (anchored !== e.hash) {
      return at('checkpoint_mismatch', `event ${e.seq} of chain ${e.chain} differs from what a signed checkpoint anchored`);
    }
    next.anchoredThrough = e.seq;
  }
  if (!state) chains.set(e.chain, next);
  return undefined;
}

/**
 * Anchors beyond what the log holds: its newest events, or all of them, were cut off. Lists every announced
 * chain, with no event when the log holds none of it.
 */
function cutOffAnchors(anchors: Anchors, chains: Map<string, ChainState>, broken: Broken | undefined): Broken | undefined {
  for (const [chain, m] of anchors) {
    const held = chains.get(chain);
    const lastSeq = held?.lastSeq ?? 0;
    let beyond = 0;
    for (const seq of m.keys()) if (seq > beyond) beyond = seq;
    if (!broken && beyond > lastSeq) {
      broken = held
        ? {
            chain,
            seq: beyond,
            reason: 'truncated',
            message: `a signed checkpoint anchors event ${beyond} of chain ${chain}, and the log ends at ${lastSeq}`,
          }
        : {
            chain,
            seq: beyond,
            reason: 'chain_missing',
            message: `chain ${chain} was announced and anchored through event ${beyond}, and the log holds none of its events`,
          };
    }
    // an announced writer that wrote nothing (or not yet) is listed, with no event
    if (!held) chains.set(chain, { events: 0, lastSeq: 0, lastHash: GENESIS_HASH, anchoredThrough: 0 });
  }
  return broken;
}
