import { describe, expect, it } from 'vitest';
import { problemTypes } from '@otp/contracts';
import { Refusal, REFUSAL_CODES } from '../handling/refusal';
import { problemOf, refusalAnswers } from './domain-error-problems';

describe('the answer to each refusal', () => {
  // 422 only where the request is understood and the outside world does not agree yet (DNS lacks the record).
  it('gives every code a status and one of the published problem types, none the old default 422 but an unverified domain', () => {
    const published = new Set<string>(Object.values(problemTypes));
    for (const code of REFUSAL_CODES) {
      const { status, type } = refusalAnswers[code];
      expect(published.has(type), code).toBe(true);
      if (code !== 'domain_not_verified') expect(status, code).not.toBe(422);
    }
    expect(refusalAnswers.domain_not_verified).toMatchObject({ status: 422, type: problemTypes.domainNotVerified });
  });

  it('puts the code and the guesses left in the body, and the wait in Retry-After', () => {
    const problem = problemOf(
      new Refusal('verification_delayed', 'wait', { attemptsRemaining: 0, retryAfterSeconds: 540, challengeId: 'chl_1' }),
    );
    expect(problem).toMatchObject({ status: 429, type: problemTypes.rateLimited, headers: { 'Retry-After': '540' } });
    expect(problem.toProblem()).toEqual({
      type: problemTypes.rateLimited,
      title: 'Too many requests',
      status: 429,
      detail: 'wait',
      code: 'verification_delayed',
      attemptsRemaining: 0,
    });
  });

  it('keeps other details out of the answer', () => {
    const problem = problemOf(new Refusal('too_many_keys', 'active api key limit reached', { limit: 20 }));
    expect(problem.headers).toEqual({});
    expect(problem.toProblem()).toEqual({
      type: problemTypes.conflict,
      title: 'Too many API keys',
      status: 409,
      detail: 'active api key limit reached',
      code: 'too_many_keys',
    });
  });

  it('answers a failed delivery 503 with Retry-After', () =>
    expect(problemOf(new Refusal('email_delivery_failed', 'not sent', { retryAfterSeconds: 5 }))).toMatchObject({
      status: 503,
      type: problemTypes.emailDeliveryFailed,
      headers: { 'Retry-After': '5' },
    }));
});
