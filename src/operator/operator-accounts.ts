/**
 * Operator accounts: `name:role:password` entries from OPERATOR_ACCOUNTS, kept only as scrypt
 * hashes in memory. Passwords are compared in constant time.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export type OperatorRole = 'viewer' | 'operator';

export interface OperatorAccount {
  username: string;
  role: OperatorRole;
  salt: Buffer;
  hash: Buffer;
}

const KEY_LEN = 32;

export function parseOperatorAccounts(spec: string): OperatorAccount[] {
  return spec.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    const [username, role, ...rest] = entry.split(':');
    const password = rest.join(':');
    if (!username || (role !== 'viewer' && role !== 'operator') || password.length < 8) {
      throw new Error(`OPERATOR_ACCOUNTS: entry for "${username ?? ''}" must be name:viewer|operator:password (password ≥ 8 characters)`);
    }
    const salt = randomBytes(16);
    return { username, role, salt, hash: scryptSync(password, salt, KEY_LEN) };
  });
}

export function checkPassword(accounts: readonly OperatorAccount[], username: string, password: string): OperatorAccount | undefined {
  const account = accounts.find((a) => a.username === username);
  // Hash even for unknown names so the answer takes the same time either way.
  const salt = account?.salt ?? Buffer.alloc(16);
  const candidate = scryptSync(password, salt, KEY_LEN);
  if (!account) return undefined;
  return timingSafeEqual(candidate, account.hash) ? account : undefined;
}
