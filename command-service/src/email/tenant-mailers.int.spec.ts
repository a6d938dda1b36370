import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedKey, sealSecret } from '@otp/platform/crypto';
import { createLogger } from '@otp/platform/logging';
import { startResendServer, type ResendServer } from '../../../test/support/resend-server';
import type { Mailer } from './mailer';
import { createTenantMailers, TENANT_SECRETS_PURPOSE } from './tenant-mailers';

const encryptionKey = Buffer.alloc(32, 3);
const ACME = 'cus_00000000000000a1';
const GLOBEX = 'cus_00000000000000b2';
const ACME_KEY = 're_acme_0123456789abcdefghijklmnop';
const seal = (customerId: string, apiKey: string) => sealSecret(derivedKey(encryptionKey, TENANT_SECRETS_PURPOSE), customerId, apiKey);
const email = { id: 'chl_00000000000000a1', to: 'ada@example.com', subject: 'Code', text: 'Your sign-in code is 123456789', html: '' };

describe('tenant mailers', () => {
  let server: ResendServer;
  const logs: string[] = [];
  const relay: Mailer = { provider: 'smtp', send: async () => {}, close: async () => {} };
  let mailers: ReturnType<typeof createTenantMailers>;
  beforeAll(async () => {
    server = await startResendServer([ACME_KEY]);
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    mailers = createTenantMailers({
      relay,
      encryptionKey,
      from: 'OTP <otp@service.test>',
      resend: { baseUrl: server.baseUrl, timeoutMs: 2_000 },
      logger: createLogger({ level: 'info', destination }),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("gives a tenant on smtp the deployment's relay", () => {
    expect(mailers.for(ACME, { kind: 'smtp' })).toBe(relay);
  });

  it("sends a tenant on resend with its own key, opened once for as long as the sealed value is the tenant's", async () => {
    const sealed = seal(ACME, ACME_KEY);
    const sender = mailers.for(ACME, { kind: 'resend', apiKeySealed: sealed });
    await sender.send(email);
    expect(server.emails.at(-1)).toMatchObject({ apiKey: ACME_KEY, from: 'OTP <otp@service.test>', to: ['ada@example.com'] });
    expect(mailers.for(ACME, { kind: 'resend', apiKeySealed: sealed })).toBe(sender);
    // A new key is a new sealed value: a sender of its own, with no cache to clear.
    expect(mailers.for(ACME, { kind: 'resend', apiKeySealed: seal(ACME, ACME_KEY) })).not.toBe(sender);
  });

  it('fails every send of a key sealed for another tenant as misconfigured, and logs the customer, never the key', async () => {
    const copied = seal(ACME, ACME_KEY);
    const before = server.emails.length;
    const sender = mailers.for(GLOBEX, { kind: 'resend', apiKeySealed: copied });
    const failure = await sender.send(email).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ provider: 'resend', reason: 'misconfigured' });
    expect(logs.join('')).toContain(GLOBEX);
    expect(logs.join('') + String(failure)).not.toContain(ACME_KEY);
    expect(server.emails).toHaveLength(before);
  });
});
