import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '@otp/platform/logging';
import type { Mailer, OutgoingEmail } from './mailer';

/**
 * Development stand-in for SMTP: each message becomes `<id>.eml` under the
 * mailbox folder (a real RFC 5322 message, built by the same library SMTP
 * uses) plus one log line. This is the only place a code may appear outside
 * the email itself, and only when no SMTP_URL is configured.
 */
export function createDevMailbox(dir: string, from: string, logger: Logger): Mailer {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(email: OutgoingEmail) {
      const info = await composer.sendMail({ from, to: email.to, subject: email.subject, text: email.text, html: email.html, messageId: `<${email.id}@otp-auth>` });
      const file = join(dir, `${email.id}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      logger.info({ mailbox: file, subject: email.subject }, `dev mailbox: ${email.text.split('\n')[0]}`);
    },
    async close() {},
  };
}
