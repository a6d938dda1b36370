import type { OutgoingEmail } from '../email/mailer';

/** The sign-in code message. Templates per tenant come later; this is the default. */
export function otpEmail(input: { id: string; to: string; code: string; expiresInMinutes: number }): OutgoingEmail {
  const { code, expiresInMinutes } = input;
  return {
    id: input.id,
    to: input.to,
    subject: 'Your sign-in code',
    text: `Your sign-in code is ${code}\nIt expires in ${expiresInMinutes} minutes. If you did not ask for it, ignore this email.\n`,
    html: `<p>Your sign-in code is</p><p style="font-size:24px;letter-spacing:4px"><strong>${code}</strong></p><p>It expires in ${expiresInMinutes} minutes. If you did not ask for it, ignore this email.</p>`,
  };
}
