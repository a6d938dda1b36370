import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_CONFIG } from '@otp/contracts';
import { otpEmail } from './otp-email';

const input = { id: 'chl_0000000000000001', to: 'ada@example.com', code: '123456', expiresInMinutes: 5 };
const defaults = DEFAULT_TENANT_CONFIG.email;

describe('the sign-in code email', () => {
  it("is the service's default text while the templates are empty", () => {
    const email = otpEmail(input, defaults);
    expect(email).toMatchObject({ subject: 'Your sign-in code', to: 'ada@example.com' });
    expect(email.text).toBe('Your sign-in code is 123456\nIt expires in 5 minutes. If you did not ask for it, ignore this email.\n');
    expect(email.html).toContain('<strong>123456</strong>');
  });

  it('names the app in the default subject', () =>
    expect(otpEmail(input, { ...defaults, appName: 'Acme' }).subject).toBe('Your Acme sign-in code'));

  it("uses the tenant's templates", () => {
    const email = otpEmail(input, {
      appName: 'Acme',
      subject: '{{otp}} is your {{appName}} code',
      text: 'Code {{otp}} for {{email}}, {{expiresInMinutes}} min',
      html: '<h1>{{appName}}</h1><p>{{otp}}</p>',
    });
    expect(email).toMatchObject({
      subject: '123456 is your Acme code',
      text: 'Code 123456 for ada@example.com, 5 min',
      html: '<h1>Acme</h1><p>123456</p>',
    });
  });

  it('escapes the values in the HTML part only', () => {
    const email = otpEmail(input, { ...defaults, appName: '<script>&', text: '{{appName}} {{otp}}', html: '<i>{{appName}}</i> {{otp}}' });
    expect(email.html).toBe('<i>&lt;script&gt;&amp;</i> 123456');
    expect(email.text).toBe('<script>& 123456');
  });

  it('keeps line breaks of a value out of the subject', () =>
    expect(otpEmail(input, { ...defaults, appName: 'Acme\r\nBcc: x@evil.test' }).subject).toBe('Your Acme Bcc: x@evil.test sign-in code'));
});
