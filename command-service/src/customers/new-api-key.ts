import { formatApiKey, type ApiKeyKind, type Scope } from '@otp/contracts';
import { randomHex, randomToken } from '@otp/platform/crypto';

/** A new key for the customer: the format is shared (contracts), drawing its random parts is the write side's. */
export function newApiKey(customerId: string, kind: ApiKeyKind = 'secret'): { keyId: string; prefix: string; key: string } {
  const { keyId, prefix, key } = formatApiKey(customerId, randomHex(6), randomToken(32), kind);
  return { keyId, prefix, key };
}

export const DEFAULT_SCOPES: readonly Scope[] = ['otp:write', 'customer:admin', 'analytics:read', 'audit:read'];
