/**
 * Consent receipts: a signed JWS (EdDSA or ES256, via jose) whose claims follow
 * the Kantara Consent Receipt v1.1 fields, issued for a grant, and verified
 * when a client or an external consent platform presents one. Receipts are
 * evidence, never authorization: the ledger decides every request.
 *
 * Receipt versions (purposeful's `receiptVersion` claim): version 2 carries
 * explicit `highlighted`, `guardian` and `sharedWith` claims, a `consentType`
 * that is `EXPLICIT` only for specific, highlighted consent and a
 * `termination` that says how to withdraw. Version 1 receipts (no
 * `receiptVersion`) still verify; they prove nothing about highlighted
 * consent, so their grants carry none.
 *
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK, jwtVerify, SignJWT } from 'jose';
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { Controller, Purposes } from '../schema/purposes.js';
import { base64urlEncode } from '../util/base64url.js';
import { utf8 } from '../util/bytes.js';
import type { Jwk, JwkSet } from '../util/jwk.js';
import type { CollectionMethod, ConsentEvent, ConsentGrant } from './events.js';

/**
 * The key that signs receipts.
 *
 * @example
 * ```ts
 * const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
 * const signer: ReceiptKey = { key: await exportJWK(privateKey), alg: 'EdDSA', kid: 'consent-2026' };
 * ```
 * @category Consent
 */
export interface ReceiptKey {
  /** A private JWK (OKP Ed25519 or EC P-256), or a CryptoKey / KeyObject. */
  readonly key: Jwk | CryptoKey | { readonly type: string };
  readonly alg: 'EdDSA' | 'ES256';
  readonly kid?: string;
  /** The `iss` of receipts. */
  readonly issuer?: string;
}

/**
 * The Kantara Consent Receipt v1.1 claims purposeful writes (plus the standard JWT ones and purposeful's own:
 * `receiptVersion`, `notice`, `highlighted`, `guardian`, `sharedWith`).
 *
 * @example
 * ```ts
 * const { claims } = await verifyReceipt(token, jwks);
 * claims.consentReceiptID; claims.piiPrincipalId; claims.services[0]?.purposes[0]?.piiCategory;
 * claims.highlighted; // true only when the grant recorded specific, highlighted consent (version 2 receipts)
 * ```
 * @category Consent
 */
export interface ConsentReceiptClaims {
  readonly version: 'KI-CR-v1.1.0';
  readonly jurisdiction: string;
  readonly consentTimestamp: number;
  readonly collectionMethod: string;
  readonly consentReceiptID: string;
  readonly language?: string;
  readonly piiPrincipalId: string;
  readonly piiControllers: ReadonlyArray<{ readonly piiController: string; readonly contact: string; readonly email?: string }>;
  readonly policyUrl: string;
  readonly services: ReadonlyArray<{
    readonly service: string;
    readonly purposes: ReadonlyArray<{
      readonly purpose: string;
      readonly purposeCategory: readonly string[];
      /**
       * `EXPLICIT` when the grant recorded specific, highlighted consent (LGPD Art. 8 §1, 11 I, 14 §1; GDPR Art.
       * 9(2)(a)); otherwise a description of how consent was given (Kantara v1.1 §4.5.6).
       */
      readonly consentType: string;
      readonly piiCategory: readonly string[];
      readonly primaryPurpose: boolean;
      /** How to withdraw consent, and when it lapses if it was given for a limited time (LGPD Art. 8 §5; GDPR Art. 7(3)). */
      readonly termination: string;
      readonly thirdPartyDisclosure: boolean;
      readonly thirdPartyName?: string;
    }>;
  }>;
  readonly sensitive: boolean;
  readonly spiCat: readonly string[];
  /** purposeful's own claim: the notice the consent was given for. */
  readonly notice: { readonly version: string; readonly hash: string };
  /** purposeful's receipt version: `2` for receipts with the claims below; absent on version 1 receipts. */
  readonly receiptVersion?: number;
  /** The grant recorded specific, highlighted consent (version 2: always present). Not derived from `sensitive`. */
  readonly highlighted?: boolean;
  /** The parent or guardian who consented for a child, and how they were verified (LGPD Art. 14 §1, §5; GDPR Art. 8(2)). */
  readonly guardian?: { readonly reference: string; readonly verification: string };
  /** The other controllers the consent specifically covers sharing with (LGPD Art. 7 §5). */
  readonly sharedWith?: readonly string[];
}

/** The receipt version `consentReceipt` writes; `verifyReceipt` reads it and version 1 (no `receiptVersion` claim). */
const RECEIPT_VERSION = 2;

/** The Kantara `termination`: how to withdraw, and when a grant given for a limited time lapses. */
function terminationOf(
  event: ConsentEvent,
  under: readonly string[],
  withdrawal: string | undefined,
  controller: Controller | undefined,
): string {
  // the DPO is named only when one is declared (LGPD Art. 41; GDPR Art. 37): otherwise the route is the controller's contact
  const dpo = controller?.dpo?.contact;
  const route =
    withdrawal ??
    (dpo
      ? `ask the controller's data protection officer at ${dpo}`
      : controller?.contact
        ? `ask the controller at ${controller.contact}`
        : undefined);
  if (route === undefined) {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'a receipt says how to withdraw consent: declare notice.withdrawal on the purpose, or a controller with a contact',
      { purpose: event.purpose, article: 'LGPD Art. 8 §5; GDPR Art. 7(3)' },
    );
  }
  const lapses = event.expiresAt ? ` Given until ${event.expiresAt}.` : '';
  const articles = under.map((j) => (j === 'lgpd' ? 'LGPD Art. 8 §5' : 'GDPR Art. 7(3)')).join('; ');
  return `Withdraw at any time, free of charge and as easily as it was given (${articles}): ${route}. Processing done before the withdrawal stays lawful.${lapses}`;
}

const JURISDICTION_NAMES = { lgpd: 'BR (LGPD, Lei 13.709/2018)', gdpr: 'EU (GDPR, Regulation 2016/679)' } as const;

/**
 * Signs a consent receipt for a `granted` event. `schemas` lets the receipt
 * list the data categories the purpose uses.
 *
 * @example
 * ```ts
 * const event = await consent.grant(grant);
 * const receipt = await consentReceipt(event, { purposes, schemas: [Customer], signer: { key: privateJwk, alg: 'EdDSA' } });
 * // hand it to the customer: their copy of the evidence
 * ```
 * @category Consent
 */
export async function consentReceipt(
  event: ConsentEvent,
  options: {
    readonly purposes: Purposes;
    readonly schemas?: readonly PurposefulSchema[];
    readonly signer: ReceiptKey;
    readonly language?: string;
  },
): Promise<string> {
  const { purposes, signer } = options;
  if (event?.type !== 'granted' || !event.notice)
    throw new PurposefulError('PF_CONSENT_INVALID', 'a receipt is issued for a grant');
  const p = purposes.get(event.purpose);
  if (!p) throw new PurposefulError('PF_PURPOSE_UNKNOWN', 'a receipt is issued for a declared purpose');
  if (signer?.alg !== 'EdDSA' && signer?.alg !== 'ES256')
    throw new PurposefulError('PF_OPTIONS_INVALID', "receipts are signed with 'EdDSA' or 'ES256'");
  const fields = (options.schemas ?? []).flatMap((s) => s.fields.filter((f) => f.access.has(p.id)));
  const sensitiveKinds = [...new Set(fields.filter((f) => f.sensitive).map((f) => f.sensitiveKind as string))];
  const recipients = p.declaration.recipients ?? [];
  const controller = purposes.controller;
  const highlighted = event.highlighted === true;
  const termination = terminationOf(event, p.ledgerConsentUnder, p.declaration.notice?.withdrawal, controller);
  const claims: ConsentReceiptClaims = {
    version: 'KI-CR-v1.1.0',
    jurisdiction: p.ledgerConsentUnder.map((j) => JURISDICTION_NAMES[j]).join('; '),
    consentTimestamp: Math.floor(Date.parse(event.at) / 1000),
    collectionMethod: event.method ?? 'other',
    consentReceiptID: event.id,
    ...(options.language ? { language: options.language } : {}),
    piiPrincipalId: event.subject,
    piiControllers: controller
      ? [{ piiController: controller.name, contact: controller.dpo?.contact ?? controller.contact }]
      : [],
    policyUrl: p.declaration.notice?.url ?? '',
    services: [
      {
        service: p.id,
        purposes: [
          {
            purpose: p.declaration.description,
            purposeCategory: p.declaration.dataUse ? [p.declaration.dataUse] : [],
            consentType: highlighted
              ? 'EXPLICIT'
              : `Not explicit: given by ${event.method ?? 'other'}, not recorded as specific and highlighted`,
            piiCategory: [...new Set(fields.map((f) => f.category))].sort(),
            primaryPurpose: true,
            termination,
            thirdPartyDisclosure: recipients.length > 0,
            ...(recipients.length ? { thirdPartyName: recipients.map((r) => r.name).join(', ') } : {}),
          },
        ],
      },
    ],
    sensitive: sensitiveKinds.length > 0,
    spiCat: sensitiveKinds,
    notice: { version: event.notice.version, hash: event.notice.hash },
    receiptVersion: RECEIPT_VERSION,
    highlighted,
    ...(event.guardian ? { guardian: { reference: event.guardian.reference, verification: event.guardian.verification } } : {}),
    ...(event.sharedWith ? { sharedWith: [...event.sharedWith] } : {}),
  };
  const key =
    typeof signer.key === 'object' && signer.key !== null && 'kty' in signer.key
      ? await importJWK(signer.key as JWK, signer.alg)
      : signer.key;
  const jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: signer.alg, typ: 'purposeful-consent+jwt', ...(signer.kid ? { kid: signer.kid } : {}) })
    .setSubject(event.subject)
    .setJti(event.id)
    .setIssuedAt(claims.consentTimestamp);
  if (signer.issuer) jwt.setIssuer(signer.issuer);
  return jwt.sign(key as CryptoKey);
}

/**
 * purposeful's own claims of a verified receipt, as grant fields: only what the receipt states explicitly. Version 1
 * receipts (no `receiptVersion`) may lack them all; version 2 ones must state `highlighted`.
 */
function purposefulClaims(payload: Record<string, unknown>): Pick<ConsentGrant, 'highlighted' | 'guardian' | 'sharedWith'> {
  const bad = (what: string) =>
    new PurposefulError('PF_CONSENT_INVALID', `the consent receipt's ${what} claim is malformed`, {
      article: 'LGPD Art. 8 §2',
    });
  const version = payload.receiptVersion;
  if (version !== undefined && version !== RECEIPT_VERSION) {
    throw new PurposefulError('PF_CONSENT_INVALID', 'the consent receipt has a receiptVersion this library does not read');
  }
  const { highlighted, guardian, sharedWith } = payload as { highlighted?: unknown; guardian?: unknown; sharedWith?: unknown };
  if (highlighted !== undefined && typeof highlighted !== 'boolean') throw bad('highlighted');
  if (version === RECEIPT_VERSION && typeof highlighted !== 'boolean') {
    throw new PurposefulError('PF_CONSENT_INVALID', 'a version 2 consent receipt states whether consent was highlighted', {
      article: 'LGPD Art. 8 §2',
    });
  }
  const g = guardian as { reference?: unknown; verification?: unknown } | undefined;
  if (
    g !== undefined &&
    (typeof g !== 'object' ||
      g === null ||
      typeof g.reference !== 'string' ||
      !g.reference ||
      typeof g.verification !== 'string' ||
      !g.verification)
  ) {
    throw bad('guardian');
  }
  if (sharedWith !== undefined && !(Array.isArray(sharedWith) && sharedWith.every((n) => typeof n === 'string'))) {
    throw bad('sharedWith');
  }
  return {
    ...(typeof highlighted === 'boolean' ? { highlighted } : {}),
    ...(g ? { guardian: { reference: g.reference as string, verification: g.verification as string } } : {}),
    ...(sharedWith ? { sharedWith: [...(sharedWith as string[])] } : {}),
  };
}

/**
 * A verified receipt: its claims, and the grant it stands for.
 *
 * @example
 * ```ts
 * const receipt: VerifiedReceipt = await verifyReceipt(token, jwks);
 * receipt.grant.purpose; // the declared purpose the receipt is for
 * ```
 * @category Consent
 */
export interface VerifiedReceipt {
  readonly token: string;
  readonly claims: ConsentReceiptClaims & { readonly sub: string; readonly jti?: string; readonly iss?: string };
  /** The grant to record as evidence (`ledger.recordFromReceipt`). */
  readonly grant: ConsentGrant;
}

const verified = new Map<string, { receipt: VerifiedReceipt; until: number }>();
const MAX_CACHED = 10_000;
const CACHE_MS = 10 * 60 * 1000;

/**
 * Verifies a consent receipt (a compact JWS) against a JWK Set of public keys
 * and returns its claims and the grant it stands for. Verified receipts are
 * cached by token hash for ten minutes (or until `exp`), so a hot path does not
 * check the signature on every request. A bad signature, an unknown key, an
 * unsupported algorithm, missing Kantara fields, a version 2 receipt without its
 * `highlighted` claim or an unknown `receiptVersion`: `PF_CONSENT_INVALID`.
 * The grant's `highlighted` comes from the receipt's explicit `highlighted`
 * claim only, never from `sensitive` or `consentType`: a version 1 receipt
 * yields a grant without it.
 *
 * @example
 * ```ts
 * const receipt = await verifyReceipt(token, platformJwks, { issuer: 'https://consent.example.com' });
 * await consent.recordFromReceipt(receipt); // evidence; the ledger still decides every request
 * ```
 * @category Consent
 */
export async function verifyReceipt(
  token: string,
  jwks: JwkSet,
  options: { readonly issuer?: string } = {},
): Promise<VerifiedReceipt> {
  // the cache key names the keys the receipt was checked against: a receipt verified with one
  // platform's keys is not thereby accepted with another's
  const id = base64urlEncode(sha256(utf8(JSON.stringify([options.issuer ?? '', jwks, typeof token === 'string' ? token : '']))));
  const hit = verified.get(id);
  if (hit && hit.until > Date.now()) return hit.receipt;
  let payload: Record<string, unknown>;
  try {
    const result = await jwtVerify(token, createLocalJWKSet(jwks as JSONWebKeySet), {
      algorithms: ['EdDSA', 'ES256'],
      ...(options.issuer ? { issuer: options.issuer } : {}),
    });
    payload = result.payload as Record<string, unknown>;
  } catch {
    throw new PurposefulError(
      'PF_CONSENT_INVALID',
      'the consent receipt does not verify (signature, key, algorithm, issuer or expiry)',
    );
  }
  const services = payload.services as ConsentReceiptClaims['services'] | undefined;
  const notice = payload.notice as { version?: unknown; hash?: unknown } | undefined;
  const service = Array.isArray(services) ? services[0]?.service : undefined;
  if (
    payload.version !== 'KI-CR-v1.1.0' ||
    typeof payload.sub !== 'string' ||
    typeof payload.consentTimestamp !== 'number' ||
    typeof service !== 'string' ||
    typeof notice?.version !== 'string' ||
    typeof notice.hash !== 'string'
  ) {
    throw new PurposefulError(
      'PF_CONSENT_INVALID',
      'the consent receipt lacks Kantara v1.1 fields (version, subject, timestamp, service, notice)',
    );
  }
  const extra = purposefulClaims(payload);
  const receipt: VerifiedReceipt = Object.freeze({
    token,
    claims: payload as unknown as VerifiedReceipt['claims'],
    grant: Object.freeze({
      subject: payload.sub,
      purpose: service,
      notice: { version: notice.version, hash: notice.hash },
      method: (typeof payload.collectionMethod === 'string' ? payload.collectionMethod : 'other') as CollectionMethod,
      collectionPoint: `receipt:${typeof payload.iss === 'string' ? payload.iss : 'unknown issuer'}`,
      ...extra,
      at: new Date((payload.consentTimestamp as number) * 1000).toISOString(),
      evidence: { receiptId: String(payload.consentReceiptID ?? payload.jti ?? ''), receipt: token },
    }),
  });
  const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY;
  verified.set(id, { receipt, until: Math.min(Date.now() + CACHE_MS, exp) });
  if (verified.size > MAX_CACHED) verified.delete(verified.keys().next().value as string);
  return receipt;
}
