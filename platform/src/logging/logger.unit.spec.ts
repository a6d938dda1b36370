import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { redactSecrets } from './redact-secrets';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger', () => {
  it('censors secret fields logged by mistake, up to three levels deep, and keeps the rest', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        code: '123456789',
        user: { email: 'ada@example.com', refreshToken: 'rt_x' },
        req: { headers: { authorization: 'Bearer ok_x', 'x-service-key': 'svc_x', host: 'h' } },
      },
      'oops',
    );
    logger.child({ apiKey: 'ok_secret' }).info({ status: 200 }, 'child');
    expect(lines[0]).toMatchObject({
      msg: 'oops',
      code: '[redacted]',
      user: { email: 'ada@example.com', refreshToken: '[redacted]' },
      req: { headers: { authorization: '[redacted]', 'x-service-key': '[redacted]', host: 'h' } },
    });
    expect(lines[1]).toMatchObject({ msg: 'child', apiKey: '[redacted]', status: 200 });
    expect(JSON.stringify(lines)).not.toMatch(/123456789|rt_x|ok_x|svc_x|ok_secret/);
  });

  it('leaves an object without secrets as it is, without copying it', () => {
    const object = { method: 'POST', path: '/v1/otp/request', nested: { status: 202 } };
    expect(redactSecrets(object)).toBe(object);
    const withSecret = { nested: { password: 'p' }, other: { a: 1 } };
    const redacted = redactSecrets(withSecret);
    expect(redacted).toEqual({ nested: { password: '[redacted]' }, other: { a: 1 } });
    expect(withSecret.nested.password).toBe('p');
    expect(redacted.other).toBe(withSecret.other);
  });
});
