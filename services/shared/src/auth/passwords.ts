// Password hashing with scrypt (memory-hard, in node:crypto). The encoded hash carries its own
// parameters, so they can be raised later without invalidating stored hashes.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  cost: number;
  blockSize: number;
  parallelization: number;
}

export const defaultScryptParameters: ScryptParameters = { cost: 2 ** 15, blockSize: 8, parallelization: 1 };

const keyLengthBytes = 32;
const saltLengthBytes = 16;
const scheme = 'scrypt';

function deriveKey(password: string, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; leave headroom above Node's 32 MiB default.
  const maxmem = 256 * parameters.cost * parameters.blockSize;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      keyLengthBytes,
      { N: parameters.cost, r: parameters.blockSize, p: parameters.parallelization, maxmem },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** Returns `scrypt$N$r$p$<salt base64>$<key base64>`. */
export async function hashPassword(
  password: string,
  parameters: ScryptParameters = defaultScryptParameters,
): Promise<string> {
  const salt = randomBytes(saltLengthBytes);
  const key = await deriveKey(password, salt, parameters);
  return [
    scheme,
    parameters.cost,
    parameters.blockSize,
    parameters.parallelization,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

function decode(encoded: string): { parameters: ScryptParameters; salt: Buffer; key: Buffer } | null {
  const [tag, cost, blockSize, parallelization, salt, key] = encoded.split('$');
  if (tag !== scheme || salt === undefined || key === undefined) return null;
  const parameters = {
    cost: Number(cost),
    blockSize: Number(blockSize),
    parallelization: Number(parallelization),
  };
  const isSane =
    Number.isInteger(parameters.cost) &&
    parameters.cost >= 2 &&
    parameters.cost <= 2 ** 20 &&
    (parameters.cost & (parameters.cost - 1)) === 0 &&
    Number.isInteger(parameters.blockSize) &&
    parameters.blockSize >= 1 &&
    parameters.blockSize <= 32 &&
    Number.isInteger(parameters.parallelization) &&
    parameters.parallelization >= 1 &&
    parameters.parallelization <= 16;
  if (!isSane) return null;
  return { parameters, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

/** Constant-time comparison of the derived key; false for a malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const decoded = decode(encoded);
  if (decoded === null || decoded.key.length !== keyLengthBytes) return false;
  const key = await deriveKey(password, decoded.salt, decoded.parameters);
  return timingSafeEqual(key, decoded.key);
}

/** A hash of a random password, to spend the same time when the email is unknown. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString('base64'));
  return decoyHash;
}
