/**
 * Operator accounts: `name:role:password` entries from OPERATOR_ACCOUNTS, kept only as scrypt
 * hashes in memory. Passwords are compared in constant time.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * The console's staff roles, each able to do what the ones before it can: a viewer reads, an
 * operator changes, an approver also approves rule versions. `agent` (a call-centre agent booking
 * for callers, issue 15 item 4) stands apart: it uses the agent routes only, and no staff role
 * may use them, so neither can act as the other.
 */
export const STAFF_ROLES = ['viewer', 'operator', 'approver'] as const;
export const OPERATOR_ROLES = [...STAFF_ROLES, 'agent'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export function hasRole(role: OperatorRole, minimum: OperatorRole): boolean {
  if (role === 'agent' || minimum === 'agent') return role === minimum;
  return STAFF_ROLES.indexOf(role) >= STAFF_ROLES.indexOf(minimum);
}

const isRole = (r: string | undefined): r is OperatorRole => (OPERATOR_ROLES as readonly string[]).includes(r ?? '');

export interface OperatorAccount {
  username: string;
  role: OperatorRole;
  salt: Buffer;
  hash: Buffer;
}

const KEY_LEN = 32;

export function parseOperatorAccounts(spec: string): OperatorAccount[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [username, role, ...rest] = entry.split(':');
      const password = rest.join(':');
      if (!username || !isRole(role) || password.length < 8) {
        throw new Error(
          `OPERATOR_ACCOUNTS: entry for "${username ?? ''}" must be name:${OPERATOR_ROLES.join('|')}:password (password ≥ 8 characters)`,
        );
      }
      const salt = randomBytes(16);
      return { username, role, salt, hash: scryptSync(password, salt, KEY_LEN) };
    });
}

export function checkPassword(
  accounts: readonly OperatorAccount[],
  username: string,
  password: string,
): OperatorAccount | undefined {
  const account = accounts.find((a) => a.username === username);
  // Hash even for unknown names so the answer takes the same time either way.
  const salt = account?.salt ?? Buffer.alloc(16);
  const candidate = scryptSync(password, salt, KEY_LEN);
  if (!account) return undefined;
  return timingSafeEqual(candidate, account.hash) ? account : undefined;
}
