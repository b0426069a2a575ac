import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { Customer, purposes, Ticket } from '../../examples/support-desk/declarations.js';
import { consentReceipt, memoryConsentLedger, verifyReceipt } from '../../src/index.js';

const hash = 'e'.repeat(64);

async function keys(alg: 'EdDSA' | 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const pub = { ...(await exportJWK(publicKey)), kid: `${alg}-1`, alg };
  return {
    signer: { key: await exportJWK(privateKey), alg, kid: `${alg}-1`, issuer: 'https://example.com' } as const,
    jwks: { keys: [pub] },
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'no error';
}

describe('consent receipts', () => {
  it.each(['EdDSA', 'ES256'] as const)(
    '%s, LGPD Art. 8 §2: a grant gets a Kantara v1.1 receipt that verifies and can be recorded as evidence',
    async (alg) => {
      const { signer, jwks } = await keys(alg);
      const ledger = memoryConsentLedger(purposes);
      const event = await ledger.grant({
        subject: 'c-1',
        purpose: 'support.accessibility',
        notice: { version: '2026-11-01', hash },
        method: 'form',
        collectionPoint: 'app/settings/accessibility',
        highlighted: true,
      });
      const token = await consentReceipt(event, { purposes, schemas: [Customer, Ticket], signer, language: 'pt-BR' });
      const receipt = await verifyReceipt(token, jwks, { issuer: 'https://example.com' });
      expect(receipt.claims).toMatchObject({
        version: 'KI-CR-v1.1.0',
        consentReceiptID: event.id,
        collectionMethod: 'form',
        piiPrincipalId: 'c-1',
        policyUrl: 'https://example.com/privacy#accessibility',
        sensitive: true,
        spiCat: ['health'],
        piiControllers: [{ piiController: 'Exemplo Suporte Ltda', contact: 'dpo@example.com.br' }],
        services: [
          {
            service: 'support.accessibility',
            purposes: [
              {
                consentType: 'EXPLICIT',
                piiCategory: ['user.health_and_medical', 'user.unique_id'],
                termination: expect.stringContaining('Withdraw at any time'),
              },
            ],
          },
        ],
        notice: { version: '2026-11-01', hash },
        receiptVersion: 2,
        highlighted: true,
      });
      expect(receipt.claims.jurisdiction).toMatch(/LGPD/);
      expect(await verifyReceipt(token, jwks, { issuer: 'https://example.com' })).toBe(receipt); // cached

      const other = memoryConsentLedger(purposes);
      const recorded = await other.recordFromReceipt(receipt);
      expect(recorded).toMatchObject({ type: 'granted', subject: 'c-1', purpose: 'support.accessibility', highlighted: true });
      expect((await other.status('c-1', ['support.accessibility'])).get('support.accessibility')?.status).toBe('granted');
    },
  );

  it('refuses receipts signed by another key, altered, or for something other than a grant', async () => {
    const a = await keys('EdDSA');
    const b = await keys('EdDSA');
    const ledger = memoryConsentLedger(purposes);
    const event = await ledger.grant({
      subject: 'c-1',
      purpose: 'support.survey',
      notice: { version: '2026-11-01', hash },
      method: 'checkbox',
      collectionPoint: 'x',
    });
    const token = await consentReceipt(event, { purposes, signer: a.signer });
    expect(await codeOf(verifyReceipt(token, b.jwks))).toBe('PF_CONSENT_INVALID');
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p as string, 'base64url').toString());
    payload.piiPrincipalId = 'someone-else';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect(await codeOf(verifyReceipt(forged, a.jwks))).toBe('PF_CONSENT_INVALID');
    expect(await codeOf(verifyReceipt(token, a.jwks, { issuer: 'https://other.example' }))).toBe('PF_CONSENT_INVALID');
    const withdrawal = await ledger.withdraw('c-1', 'support.survey');
    expect(await codeOf(consentReceipt(withdrawal, { purposes, signer: a.signer }))).toBe('PF_CONSENT_INVALID');
    expect(await codeOf(ledger.recordFromReceipt({} as never))).toBe('PF_CONSENT_INVALID');
  });
});

describe('receipts cannot be replayed or borrowed', () => {
  it('a receipt verified against one JWK Set is not accepted against another from the cache', async () => {
    const a = await keys('EdDSA');
    const b = await keys('EdDSA');
    const ledger = memoryConsentLedger(purposes);
    const event = await ledger.grant({
      subject: 'c-9',
      purpose: 'support.survey',
      notice: { version: '2026-11-01', hash },
      method: 'checkbox',
      collectionPoint: 'x',
    });
    const token = await consentReceipt(event, { purposes, signer: a.signer });
    await verifyReceipt(token, a.jwks);
    expect(await codeOf(verifyReceipt(token, b.jwks))).toBe('PF_CONSENT_INVALID');
  });

  it('an old receipt replayed after a withdrawal does not turn consent back on, and a receipt is recorded once', async () => {
    const { signer, jwks } = await keys('EdDSA');
    const issuer = memoryConsentLedger(purposes);
    const event = await issuer.grant({
      subject: 'c-8',
      purpose: 'support.survey',
      notice: { version: '2026-11-01', hash },
      method: 'checkbox',
      collectionPoint: 'x',
      at: new Date(Date.now() - 60_000).toISOString(),
    });
    const receipt = await verifyReceipt(await consentReceipt(event, { purposes, signer }), jwks);
    const ledger = memoryConsentLedger(purposes);
    await ledger.recordFromReceipt(receipt);
    expect(await codeOf(ledger.recordFromReceipt(receipt))).toBe('PF_CONSENT_INVALID');
    await ledger.withdraw('c-8', 'support.survey');
    const fresh = memoryConsentLedger(purposes);
    await fresh.withdraw('c-8', 'support.survey');
    expect(await codeOf(fresh.recordFromReceipt(receipt))).toBe('PF_CONSENT_INVALID');
    expect((await fresh.status('c-8', ['support.survey'])).get('support.survey')?.status).toBe('withdrawn');
  });
});
