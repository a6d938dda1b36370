import { z } from 'zod';
import { EmailDeliveryError, type EmailFailureReason, type Mailer, type OutgoingEmail } from './mailer';

/** Where the Resend API answers and how long a send may take; from the environment (RESEND_BASE_URL, RESEND_TIMEOUT_MS). */
export interface ResendSettings {
  baseUrl: string;
  timeoutMs: number;
}

/** What `POST /emails` answers on success (https://resend.com/docs/api-reference/emails/send-email). */
const ResendAccepted = z.object({ id: z.string().min(1) });

// 401 and 403 are a missing or wrong key, or a sender domain the key may not use: the tenant's
// setup, not this message. 400 and 422 refuse this message's fields.
function failureReason(status: number): EmailFailureReason {
  if (status === 401 || status === 403) return 'misconfigured';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

/**
 * One tenant's Resend sender: its API key goes in the Authorization header
 * and nowhere else. Plain `fetch` with a deadline (docs/decisions.md says why
 * not the SDK). The answer's body is not read on a refusal: Resend's message
 * may quote the address, and the status says what the event needs.
 */
export function createResendSender(apiKey: string, from: string, settings: ResendSettings): Mailer {
  const endpoint = new URL('emails', settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`);
  const headers = {
    authorization: `Bearer ${apiKey}`,
    'content-type': 'application/json',
    'user-agent': 'otp-auth',
  };
  return {
    provider: 'resend',
    async send(email: OutgoingEmail) {
      const body = JSON.stringify({ from: email.from ?? from, to: [email.to], subject: email.subject, text: email.text, html: email.html });
      let response: Response;
      try {
        // The challenge id as idempotency key: a retried send of one code is one email.
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': email.id },
          body,
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (error) {
        if ((error as Error).name === 'TimeoutError')
          throw new EmailDeliveryError('resend', 'timeout', `no answer in ${settings.timeoutMs} ms`);
        throw new EmailDeliveryError('resend', 'unavailable', 'no connection');
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new EmailDeliveryError('resend', failureReason(response.status), `HTTP ${response.status}`);
      }
      // The deadline covers the body too; an answer that is not Resend's (a proxy's page) vouches for no email.
      const answer: unknown = await response.json().catch((error: Error) => error);
      if (answer instanceof Error && answer.name === 'TimeoutError') {
        throw new EmailDeliveryError('resend', 'timeout', `no answer in ${settings.timeoutMs} ms`);
      }
      if (!ResendAccepted.safeParse(answer).success) {
        throw new EmailDeliveryError('resend', 'unavailable', `HTTP ${response.status} without an email id`);
      }
    },
    async close() {},
  };
}
