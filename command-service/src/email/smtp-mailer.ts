import nodemailer from 'nodemailer';
import { EmailDeliveryError, type EmailFailureReason, type Mailer, type OutgoingEmail } from './mailer';
import { mimeMessage } from './mime-message';

/** `Name <addr@x>` -> `addr@x`: the SMTP envelope wants the bare address. */
const envelopeAddress = (from: string): string => /<([^>]+)>/.exec(from)?.[1] ?? from.trim();

/** What nodemailer's errors carry besides their text, which quotes the server's reply and with it the address. */
interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
}

/** A 5xx reply refuses this message, a 4xx one asks to come back later; no reply at all is the relay's trouble. */
function failureReason(code: string, responseCode: number | undefined): EmailFailureReason {
  if (code === 'EAUTH' || code === 'ETLS' || code === 'ENOAUTH') return 'misconfigured';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (responseCode !== undefined && responseCode >= 500) return 'rejected';
  return 'unavailable';
}

/** The error as a status only: nodemailer's code and the server's reply code, never its message. */
export function smtpDeliveryError(error: unknown): EmailDeliveryError {
  const { code, responseCode } = (error ?? {}) as SmtpFailure;
  const safeCode = typeof code === 'string' && /^[A-Z_]{1,20}$/.test(code) ? code : 'EUNKNOWN';
  const reply = typeof responseCode === 'number' && Number.isInteger(responseCode) ? responseCode : undefined;
  return new EmailDeliveryError('smtp', failureReason(safeCode, reply), reply === undefined ? safeCode : `${safeCode} ${reply}`);
}

/** SMTP through a pooled nodemailer transport: connections are reused across messages. */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const plainText = url.searchParams.get('tls') === 'off';
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (secure ? 465 : 587)),
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: true,
    maxConnections: 5,
    // smtp:// must upgrade with STARTTLS or fail: without requireTLS, nodemailer goes on in
    // plain text whenever the server does not offer it, and anyone on the path who strips the
    // offer reads the codes and the credentials. `?tls=off` is the explicit opt-out for a
    // local relay (development, a sidecar).
    ignoreTLS: plainText,
    requireTLS: !secure && !plainText,
    connectionTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    provider: 'smtp',
    async send(email: OutgoingEmail) {
      const sender = email.from ?? from;
      try {
        // The message is composed once by our builder; nodemailer only carries it.
        await transport.sendMail({ envelope: { from: envelopeAddress(sender), to: [email.to] }, raw: mimeMessage(email, sender) });
      } catch (error) {
        // A rejection's text quotes the recipient ("550 <ada@...>: no such user"): only codes go on.
        throw smtpDeliveryError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}
