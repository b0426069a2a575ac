export type { AeadImplementation, AlgorithmId } from './aead.js';
export { expectedFalsePositives, type Normalizer, normalizeForIndex } from './blind-index.js';
export { decodeValue, encodeValue, type FieldValue, type JsonArray, type JsonData, type JsonObject } from './codec.js';
export type { EncryptionOptions } from './encryption.js';
export {
  assertEnvelope,
  ENVELOPE_PREFIX,
  type Envelope,
  looksEncrypted,
  MAX_ENVELOPE_LENGTH,
  parseEnvelope,
} from './envelope.js';
export { generateKeyring, isKeyring, Keyring, type KeyringJwk, type KeyringJwks, keyringFromJwks } from './keyring.js';
export {
  type DataKeyRecord,
  type ErasureEntry,
  type ErasureJournal,
  type KeyClass,
  memoryErasureJournal,
  memoryKeyStore,
  type SubjectKeyStore,
} from './keystore.js';
export { INDEX_COLUMN_PREFIX } from './records.js';
export type { Progress, ReceiptSigner, RotateOptions, RotateProgress, ShredResult } from './vault.js';
