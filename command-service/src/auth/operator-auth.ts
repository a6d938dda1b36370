import { keyedHash, secretEquals } from '@otp/platform/crypto';
import { problems } from '@otp/platform/http';

/** The operator's bearer token, compared in constant time through a keyed hash of both sides. */
export function createOperatorCheck(operatorToken: string, hashKey: Buffer) {
  const expected = keyedHash(hashKey, 'operator-token', operatorToken);
  return (presented: string): void => {
    if (!secretEquals(expected, keyedHash(hashKey, 'operator-token', presented))) throw problems.invalidApiKey();
  };
}
