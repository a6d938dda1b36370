import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '@otp/platform/config';
import { signupLimitsFrom, SignupLimitsEnv } from './signup-limits';

const Env = z.object(SignupLimitsEnv);

describe('the signup limits per client network', () => {
  it('default to a burst of 5 codes then 10 an hour, and 10 verifications then 30 an hour', () =>
    expect(signupLimitsFrom(loadConfig(Env, {}))).toEqual({
      request: { capacity: 5, refillPerSecond: 10 / 3600 },
      verify: { capacity: 10, refillPerSecond: 30 / 3600 },
    }));

  it('take what the environment says', () =>
    expect(signupLimitsFrom(loadConfig(Env, { SIGNUP_PER_ADDRESS_PER_HOUR: '60', SIGNUP_PER_ADDRESS_BURST: '2' })).request).toEqual({
      capacity: 2,
      refillPerSecond: 60 / 3600,
    }));

  it.each([
    ['a zero rate, which would stop every signup', { SIGNUP_PER_ADDRESS_PER_HOUR: '0' }, /SIGNUP_PER_ADDRESS_PER_HOUR/],
    ['a fraction', { SIGNUP_VERIFY_PER_ADDRESS_BURST: '2.5' }, /SIGNUP_VERIFY_PER_ADDRESS_BURST/],
    ['a word', { SIGNUP_VERIFY_PER_ADDRESS_PER_HOUR: 'lots' }, /SIGNUP_VERIFY_PER_ADDRESS_PER_HOUR/],
  ])('refuse %s at start, naming the variable', (_what, env, named) => expect(() => loadConfig(Env, env)).toThrow(named));
});
