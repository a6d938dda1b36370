import { describe, expect, it } from 'vitest';
import { DEFAULT_FAILED_CREDENTIAL_POLICY, FailedCredentials } from './failed-credentials';

const T0 = 1_750_000_000_000;

describe('failed credentials per address', () => {
  it('lets ten failures through, then delays 1 s, doubling up to 15 minutes', () => {
    const failures = new FailedCredentials();
    const delays: number[] = [];
    for (let i = 0; i < 22; i++) delays.push(failures.fail('198.51.100.7', T0));
    expect(delays).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
  });

  it('holds the address for the delay, then lets it try again', () => {
    const failures = new FailedCredentials();
    for (let i = 0; i < 11; i++) failures.fail('198.51.100.7', T0);
    expect(failures.retryAfterSeconds('198.51.100.7', T0)).toBe(1);
    expect(failures.retryAfterSeconds('198.51.100.7', T0 + 999)).toBe(1);
    expect(failures.retryAfterSeconds('198.51.100.7', T0 + 1_000)).toBe(0);
  });

  it('never holds another address', () => {
    const failures = new FailedCredentials();
    for (let i = 0; i < 15; i++) failures.fail('198.51.100.7', T0);
    expect(failures.retryAfterSeconds('198.51.100.8', T0)).toBe(0);
    expect(failures.fail('198.51.100.8', T0)).toBe(0);
  });

  it('forgets an address an hour after its last failure, once its delay is over', () => {
    const failures = new FailedCredentials();
    for (let i = 0; i < 11; i++) failures.fail('198.51.100.7', T0);
    expect(failures.fail('198.51.100.7', T0 + DEFAULT_FAILED_CREDENTIAL_POLICY.forgetAfterMs - 1)).toBe(2);
    expect(failures.fail('198.51.100.7', T0 + 2 * DEFAULT_FAILED_CREDENTIAL_POLICY.forgetAfterMs)).toBe(0);
  });

  it('stays bounded under a flood of addresses', () => {
    const failures = new FailedCredentials(DEFAULT_FAILED_CREDENTIAL_POLICY, 100);
    for (let i = 0; i < 1_000; i++) failures.fail(`10.0.${Math.floor(i / 256)}.${i % 256}`, T0);
    expect(failures.size).toBe(100);
  });
});
