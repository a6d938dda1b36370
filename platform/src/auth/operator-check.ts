import { operatorTokenHash } from '../crypto/secret-hashes';
import { secretEquals } from '../crypto/secrets';
import { problems } from '../http/problem-error';

/** The operator's bearer token, compared in constant time through a keyed hash of both sides. */
export function createOperatorCheck(operatorToken: string, hashKey: Buffer) {
  const expected = operatorTokenHash(hashKey, operatorToken);
  return (presented: string): void => {
    if (!secretEquals(expected, operatorTokenHash(hashKey, presented))) throw problems.invalidApiKey();
  };
}
export type OperatorCheck = ReturnType<typeof createOperatorCheck>;
