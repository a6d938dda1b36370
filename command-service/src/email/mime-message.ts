import { randomBytes } from 'node:crypto';
import type { OutgoingEmail } from './mailer';

/**
 * Builds the RFC 5322 message (text and HTML alternatives) for both mail
 * adapters. Composing with nodemailer's own builder cost 1.2 ms of CPU per
 * message on the reference machine, more than the rest of an OTP request;
 * this costs a few microseconds, and SMTP sends it as is (`raw`).
 */
export function mimeMessage(email: OutgoingEmail, from: string, now = new Date()): string {
  const boundary = `=_otp_${randomBytes(12).toString('hex')}`;
  const headers = [
    `From: ${headerValue(from)}`,
    `To: ${headerValue(email.to)}`,
    `Subject: ${headerValue(email.subject)}`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${email.id}@otp-auth>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  return [
    ...headers,
    '',
    `--${boundary}`,
    ...part('text/plain', email.text),
    `--${boundary}`,
    ...part('text/html', email.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

function part(type: string, body: string): string[] {
  // Plain ASCII travels as 7bit (readable in any mailbox file); anything else as base64.
  if (/^[\x20-\x7e\r\n\t]*$/.test(body) && body.split('\n').every((line) => line.length <= 998)) {
    return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: 7bit', '', body.replace(/\r?\n/g, '\r\n')];
  }
  const encoded = Buffer.from(body, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', encoded];
}

/** RFC 2047 encoded-word for non-ASCII header text; CR/LF removed so a value cannot add headers. */
function headerValue(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}
