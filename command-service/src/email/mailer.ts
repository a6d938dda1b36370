import type { z } from 'zod';
import type { EmailProviderKind as ProviderKind } from '@otp/contracts';

export type EmailProviderKind = z.infer<typeof ProviderKind>;

/** The port for outgoing email. Adapters: SMTP (nodemailer), Resend (HTTP) and the dev mailbox. */
export interface OutgoingEmail {
  /** Stable id: the dev mailbox names its file after it, SMTP uses it in Message-ID, Resend as its idempotency key. */
  id: string;
  to: string;
  /** The tenant's own sender when its config names one; otherwise the mailer's. */
  from?: string | undefined;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /**
   * The provider `EmailSent`/`EmailFailed` name. The dev mailbox has none: it delivers nothing,
   * so its writes are no outcome to record.
   */
  readonly provider?: EmailProviderKind;
  send(email: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}

/**
 * Why a send failed, as `EmailFailed.reason` records it: `rejected` (the provider or relay refused
 * this message), `misconfigured` (the credentials or the sender are wrong: no retry helps),
 * `rate_limited`, `unavailable` (down, unreachable or a temporary refusal), `timeout`.
 */
export type EmailFailureReason = 'rejected' | 'misconfigured' | 'rate_limited' | 'unavailable' | 'timeout';

/**
 * A send that did not go through. Its message names only the provider, the reason and a status
 * or error code: a relay's or provider's own text may echo the recipient, and the credentials
 * must not travel with an error, so neither is kept.
 */
export class EmailDeliveryError extends Error {
  override readonly name = 'EmailDeliveryError';
  constructor(
    readonly provider: EmailProviderKind,
    readonly reason: EmailFailureReason,
    status: string,
  ) {
    super(`${provider} delivery failed: ${reason} (${status})`);
  }
}
