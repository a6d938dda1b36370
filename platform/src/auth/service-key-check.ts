import { problemTypes } from '@otp/contracts';
import { serviceKeyHash } from '../crypto/secret-hashes';
import { secretEquals } from '../crypto/secrets';
import { ProblemError } from '../http/problem-error';

export const SERVICE_KEY_HEADER = 'X-Service-Key';

const refused = (detail: string) => new ProblemError(401, problemTypes.invalidApiKey, 'Invalid credentials', detail);

/**
 * The `X-Service-Key` of another service of the deployment, compared in constant time through a
 * keyed hash of both sides. Without a configured key every presented one is refused: the lookups
 * it opens are off unless the operator turns them on.
 */
export function createServiceKeyCheck(serviceKey: string | undefined, hashKey: Buffer) {
  const expected = serviceKey === undefined ? undefined : serviceKeyHash(hashKey, serviceKey);
  return (presented: string | undefined): void => {
    if (presented === undefined || presented === '') throw refused(`send the service key in ${SERVICE_KEY_HEADER}`);
    const matches = secretEquals(expected ?? '', serviceKeyHash(hashKey, presented));
    if (expected === undefined || !matches) throw refused('the service key is not valid');
  };
}
export type ServiceKeyCheck = ReturnType<typeof createServiceKeyCheck>;
