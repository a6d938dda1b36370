import { describe, expect, it } from 'vitest';
import { mimeMessage } from './mime-message';

const email = {
  id: 'chl_0123456789abcdef',
  to: 'ada@example.com',
  subject: 'Your sign-in code',
  text: 'Your sign-in code is 123456789\n',
  html: '<p>123456789</p>',
};
const at = new Date('2026-11-22T08:00:00Z');

describe('mimeMessage', () => {
  it('builds a multipart/alternative message with a text and an HTML part', () => {
    const message = mimeMessage(email, 'OTP <no-reply@otp.test>', at);
    const blank = message.indexOf('\r\n\r\n');
    const head = message.slice(0, blank);
    const body = message.slice(blank + 4);
    expect(head).toContain('From: OTP <no-reply@otp.test>');
    expect(head).toContain('To: ada@example.com');
    expect(head).toContain('Message-ID: <chl_0123456789abcdef@otp-auth>');
    expect(head).toContain('Date: Sun, 22 Nov 2026 08:00:00 +0000');
    const boundary = /boundary="([^"]+)"/.exec(head)![1]!;
    expect(body.split(`--${boundary}`)).toHaveLength(4);
    expect(message).toContain(
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nYour sign-in code is 123456789\r\n',
    );
    expect(message).toContain('Content-Type: text/html');
    expect(message.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it('cannot be made to carry extra headers through a value', () => {
    const message = mimeMessage({ ...email, to: 'ada@example.com\r\nBcc: eve@evil.test' }, 'a@b.test', at);
    expect(message).not.toMatch(/^Bcc:/m);
  });

  it('encodes non-ASCII headers as RFC 2047 words and non-ASCII bodies as base64', () => {
    const message = mimeMessage({ ...email, subject: 'Ihr Anmeldecode für Müller', text: 'Grüße 123456789' }, 'a@b.test', at);
    expect(message).toContain(`Subject: =?UTF-8?B?${Buffer.from('Ihr Anmeldecode für Müller').toString('base64')}?=`);
    expect(message).toContain(`Content-Transfer-Encoding: base64\r\n\r\n${Buffer.from('Grüße 123456789').toString('base64')}`);
  });
});
