import { describe, expect, it } from 'vitest';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { emailOutcomeDecider, type RecordEmailOutcome } from './email-outcome-decider';
import { otpDecider, type OtpEvent } from './otp-decider';

const given = contractCheckedSpecFor(emailOutcomeDecider);
const customerId = 'cus_00000000000000a1';
const A = 'chl_000000000000000a';
const t0 = new Date('2025-03-01T12:00:00.000Z');
const sentAt = new Date('2025-03-01T12:00:00.250Z');

const requested: OtpEvent = {
  type: 'OtpRequested',
  data: {
    challengeId: A,
    customerId,
    emailKey: 'ek-ada',
    email: 'ada@example.test',
    codeHash: 'h(A)',
    codeLength: 9,
    requestedAt: t0.toISOString(),
    expiresAt: new Date(t0.getTime() + 600_000).toISOString(),
    maxAttempts: 5,
  },
};
const outcome = (failure: RecordEmailOutcome['failure'], challengeId = A): RecordEmailOutcome => ({
  type: 'RecordEmailOutcome',
  customerId,
  challengeId,
  provider: 'resend',
  failure,
  now: sentAt,
});

describe('email outcome decider', () => {
  it('records that the provider took the email, with no address and no body', () => {
    given([requested])
      .when(outcome(null))
      .then([
        { type: 'EmailSent', data: { customerId, challengeId: A, purpose: 'otp', provider: 'resend', sentAt: sentAt.toISOString() } },
      ]);
  });

  it('records a failure by its reason code alone', () => {
    given([requested])
      .when(outcome('rate_limited'))
      .then([
        {
          type: 'EmailFailed',
          data: { customerId, challengeId: A, purpose: 'otp', provider: 'resend', reason: 'rate_limited', failedAt: sentAt.toISOString() },
        },
      ]);
  });

  it('records nothing for a challenge the stream does not hold', () => {
    given([requested]).when(outcome(null, 'chl_000000000000000b')).thenNothing();
    given([]).when(outcome('unavailable')).thenNothing();
  });

  it('leaves the challenge as it was: a failed email changes no OTP rule, the code simply expires', () => {
    const before = [requested].reduce(otpDecider.evolve, otpDecider.initialState());
    const [failed] = emailOutcomeDecider.decide(outcome('timeout'), before);
    expect(otpDecider.evolve(before, failed!)).toBe(before);
  });
});
