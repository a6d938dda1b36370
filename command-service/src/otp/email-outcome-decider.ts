import type { EmailFailureReason, EmailProviderKind } from '../email/mailer';
import type { Decider } from '../handling/decider';
import { otpDecider, type OtpEvent, type OtpState } from './otp-decider';

/** How the email carrying a challenge's code went, once the provider answered (or did not). */
export type RecordEmailOutcome = {
  type: 'RecordEmailOutcome';
  customerId: string;
  challengeId: string;
  provider: EmailProviderKind;
  /** null: the provider took the message. */
  failure: EmailFailureReason | null;
  now: Date;
};

/**
 * The outcome is a fact about the challenge, so it goes on the challenge's
 * stream. It shares the OTP decider's fold (one cached state per stream, and
 * the stream's other rules never see a second fold) and decides only this:
 * an outcome names a challenge this stream holds, else nothing is recorded.
 */
export const emailOutcomeDecider: Decider<RecordEmailOutcome, OtpState, OtpEvent> = {
  initialState: otpDecider.initialState,
  evolve: otpDecider.evolve,
  decide: ({ customerId, challengeId, provider, failure, now }, state) => {
    if (!state.challenges[challengeId]) return [];
    const at = now.toISOString();
    return failure === null
      ? [{ type: 'EmailSent', data: { customerId, challengeId, purpose: 'otp', provider, sentAt: at } }]
      : [{ type: 'EmailFailed', data: { customerId, challengeId, purpose: 'otp', provider, reason: failure, failedAt: at } }];
  },
};
