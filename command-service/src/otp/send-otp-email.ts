import type { StoredEmailProvider } from '@otp/contracts';
import { EmailDeliveryError, type EmailProviderKind, type OutgoingEmail } from '../email/mailer';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { Refusal } from '../handling/refusal';
import { emailOutcomeDecider } from './email-outcome-decider';

/** The caller may ask again once the mail server has had a moment. */
const RETRY_DELIVERY_AFTER_SECONDS = 5;

export interface OtpEmailToSend {
  customerId: string;
  /** The challenge's stream, where the outcome is recorded. */
  streamName: string;
  provider: StoredEmailProvider;
  email: OutgoingEmail;
}

/**
 * Sends a challenge's code through the tenant's provider, then records on the
 * challenge's stream how it went (`EmailSent` or `EmailFailed`). A failure is
 * logged with the challenge, provider and reason code only, and answered as
 * 503 with Retry-After: the challenge stays recorded and simply expires.
 * Returns the position of the outcome, the last event of the request.
 */
export async function sendOtpEmail(deps: CommandDeps, input: OtpEmailToSend, ctx: CommandContext): Promise<bigint | undefined> {
  const { customerId, email } = input;
  const mailer = deps.mailers.for(customerId, input.provider);
  let failure: EmailDeliveryError | null = null;
  try {
    await mailer.send(email);
  } catch (error) {
    // A mailer's own errors carry codes only; anything else (the dev mailbox's disk) is the relay being unavailable.
    failure = error instanceof EmailDeliveryError ? error : new EmailDeliveryError(mailer.provider ?? 'smtp', 'unavailable', 'EUNKNOWN');
    deps.logger.error(
      { challengeId: email.id, requestId: ctx.requestId, provider: failure.provider, reason: failure.reason, err: failure.message },
      'otp email delivery failed',
    );
  }
  const position = mailer.provider ? await recordOutcome(deps, input, mailer.provider, failure, ctx) : undefined;
  if (failure) {
    throw new Refusal('email_delivery_failed', 'the code could not be sent; try again shortly', {
      retryAfterSeconds: RETRY_DELIVERY_AFTER_SECONDS,
    });
  }
  return position;
}

// The email went (or not) whatever the store says next: a failed record is logged, never answered.
async function recordOutcome(
  deps: CommandDeps,
  input: OtpEmailToSend,
  provider: EmailProviderKind,
  failure: EmailDeliveryError | null,
  ctx: CommandContext,
): Promise<bigint | undefined> {
  const now = new Date();
  // A command of its own: event ids derive from the command id, and the request's already named OtpRequested.
  const outcomeCtx = { ...ctx, commandId: `${ctx.commandId}/email`, now };
  try {
    const handled = await deps.commands.handle(
      input.streamName,
      emailOutcomeDecider,
      {
        type: 'RecordEmailOutcome',
        customerId: input.customerId,
        challengeId: input.email.id,
        provider,
        failure: failure?.reason ?? null,
        now,
      },
      outcomeCtx,
    );
    return handled.position;
  } catch (error) {
    deps.logger.warn(
      { challengeId: input.email.id, requestId: ctx.requestId, err: (error as Error).message },
      'email outcome not recorded',
    );
    return undefined;
  }
}
