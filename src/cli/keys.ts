/**
 * `purposeful keys generate`: a new keyring (a JWK Set with one primary
 * 256-bit key), written to a file only its owner can read, or printed for a
 * secrets manager.
 *
 * @module
 * @internal
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateKeyring } from 'purposeful';
import { UsageError } from './load.js';

/** A new keyring's JWK Set as JSON text (secrets included). */
export function generateKeyringText(kid: string | undefined): string {
  return `${JSON.stringify(generateKeyring(kid === undefined ? {} : { kid }).export(), null, 2)}\n`;
}

/**
 * Creates `file` with mode 0600 and writes `text` to it. `O_EXCL`: an existing
 * file (or a symbolic link) is refused, never overwritten.
 */
export function writeSecretFile(cwd: string, file: string, text: string): void {
  const path = resolve(cwd, file);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new UsageError(`${file} already exists: not overwritten (a keyring in use must be rotated, not replaced)`);
    throw new UsageError(`could not write ${file}: ${code ?? (err as Error).message}`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
