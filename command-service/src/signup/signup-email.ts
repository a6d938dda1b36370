import type { OutgoingEmail } from '../email/mailer';

/**
 * The signup code message. It reads the same whether the email has an account or not: only
 * the verify tells, and only to whoever holds the code.
 */
export function signupEmail(input: { id: string; to: string; code: string; expiresInMinutes: number }): OutgoingEmail {
  const { code, expiresInMinutes } = input;
  const ignore = 'If you did not ask to sign up, ignore this email: nothing is created without the code.';
  return {
    id: input.id,
    to: input.to,
    subject: 'Your sign-up code',
    text: `Your sign-up code is ${code}\nIt expires in ${expiresInMinutes} minutes. ${ignore}\n`,
    html: `<p>Your sign-up code is</p><p style="font-size:24px;letter-spacing:4px"><strong>${code}</strong></p><p>It expires in ${expiresInMinutes} minutes. ${ignore}</p>`,
  };
}
