/** Declarations and helpers shared by the unit tests. */
import { definePurposes, generateKeyring, isPurposefulError, memoryKeyStore } from '../../src/index.js';

const keyring = generateKeyring();

/**
 * A keyring and a fresh key store, for engines over schemas with encrypted fields (free-text fields are encrypted
 * by default): `createPurposeful` refuses such schemas without a keyring. Spread it first, so a test's own wins.
 */
export const testKeys = () => ({ keys: keyring, keyStore: memoryKeyStore() });

/** A controller with its encarregado's name and contact (LGPD Art. 41 §1), so the validator has nothing to say about it. */
export const controller = {
  name: 'ACME Ltda',
  contact: 'privacidade@acme.example',
  dpo: { name: 'Maria Souza', contact: 'dpo@acme.example' },
};

/** Two purposes under LGPD only: a contract one and a legal-obligation one. */
export const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract' },
      retention: 'P2Y',
    },
    'billing.invoice': {
      description: 'Issue the invoice required by tax law',
      legalBasis: { lgpd: 'legal_obligation' },
      retention: 'P5Y',
    },
  },
  { controller },
);

/** The code of the PurposefulError `fn` throws, or `undefined` when it returns; other errors propagate. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isPurposefulError(err)) return err.code;
    throw err;
  }
  return undefined;
}

/** The code of the PurposefulError `run` throws or rejects with, or `undefined` when it succeeds; other errors propagate. */
export async function settledCode(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
  } catch (err) {
    if (isPurposefulError(err)) return err.code;
    throw err;
  }
  return undefined;
}

/** The code of the PurposefulError `p` rejects with, or `'no error'` when it resolves; other errors propagate. */
export async function rejectionCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isPurposefulError(err)) return err.code;
    throw err;
  }
  return 'no error';
}
