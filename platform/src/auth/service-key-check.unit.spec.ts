import { describe, expect, it } from 'vitest';
import { problemTypes } from '@otp/contracts';
import { ProblemError } from '../http/problem-error';
import { createServiceKeyCheck } from './service-key-check';

const hashKey = Buffer.alloc(32, 3);
const key = 'svc_a_service_key_long_enough_for_SecretEnv_01';

function refusal(run: () => void): ProblemError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('the check let the key in');
}

describe('the service key check', () => {
  const check = createServiceKeyCheck(key, hashKey);

  it('lets the configured key in', () => expect(() => check(key)).not.toThrow());

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another key', `${key}x`],
    ['a prefix of the key', key.slice(0, 10)],
  ])('refuses %s with 401 problem', (_name, presented) => {
    const problem = refusal(() => check(presented));
    expect(problem).toMatchObject({ status: 401, type: problemTypes.invalidApiKey });
    expect(problem.message).not.toContain(key);
  });

  it('refuses every key when none is configured, the empty string among them', () => {
    const off = createServiceKeyCheck(undefined, hashKey);
    for (const presented of [key, '', undefined]) expect(refusal(() => off(presented)).status).toBe(401);
  });
});
