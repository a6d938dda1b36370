import nodemailer from 'nodemailer';
import { EmailDeliveryError, type Mailer, type OutgoingEmail } from './mailer';
import { mimeMessage } from './mime-message';

/** `Name <addr@x>` -> `addr@x`: the SMTP envelope wants the bare address. */
const envelopeAddress = (from: string): string => /<([^>]+)>/.exec(from)?.[1] ?? from.trim();

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
    async send(email: OutgoingEmail) {
      try {
        // The message is composed once by our builder; nodemailer only carries it.
        await transport.sendMail({ envelope: { from: envelopeAddress(from), to: [email.to] }, raw: mimeMessage(email, from) });
      } catch (error) {
        // The SMTP error text never includes the body, so it is safe to keep.
        throw new EmailDeliveryError(`smtp delivery failed: ${(error as Error).message}`);
      }
    },
    async close() {
      transport.close();
    },
  };
}
