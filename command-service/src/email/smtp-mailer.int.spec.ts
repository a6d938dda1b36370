import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink';
import { EmailDeliveryError } from './mailer';
import { createSmtpMailer } from './smtp-mailer';

const email = {
  id: 'chl_00000000000000a1',
  to: 'ada@example.com',
  subject: 'Your code',
  text: 'Your sign-in code is 123456789',
  html: '<p>Your sign-in code is 123456789</p>',
};

describe('SMTP mailer', () => {
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await sink?.close();
  });

  it('refuses to send in plain text when the server offers no STARTTLS, unless told tls=off', async () => {
    sink = await startSmtpSink(); // a relay that never offers STARTTLS, as if an attacker stripped it
    const plainUrl = sink.url.replace('?tls=off', '');

    const strict = createSmtpMailer(plainUrl, 'OTP <otp@example.com>');
    const refused = await strict.send(email).catch((error: unknown) => error);
    await strict.close();
    expect(refused).toBeInstanceOf(EmailDeliveryError);
    expect(refused).toMatchObject({ provider: 'smtp', reason: 'misconfigured' });
    expect(sink.messages).toHaveLength(0);

    const relay = createSmtpMailer(sink.url, 'OTP <otp@example.com>');
    await relay.send(email);
    await relay.close();
    expect(await sink.codeFor('ada@example.com', 0)).toBe('123456789');
  });

  it("reduces a relay's refusal to codes: the reply, which quotes the address, is not kept", async () => {
    sink = await startSmtpSink({ refuse: ['ada@example.com'] });
    const relay = createSmtpMailer(sink.url, 'OTP <otp@example.com>');
    const refused = await relay.send(email).catch((error: unknown) => error);
    await relay.close();
    expect(refused).toBeInstanceOf(EmailDeliveryError);
    expect(refused).toMatchObject({ provider: 'smtp', reason: 'rejected', message: 'smtp delivery failed: rejected (EENVELOPE 550)' });
    expect(JSON.stringify({ ...(refused as object), message: (refused as Error).message })).not.toContain('ada@example.com');
    expect(sink.messages).toHaveLength(0);
  });
});
