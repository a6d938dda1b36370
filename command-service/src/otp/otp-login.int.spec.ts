import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streams } from '@otp/contracts';
import { emailKey } from '@otp/platform/crypto';
import { createTxtLookup } from '@otp/platform/dns';
import { StreamStateCache, type EventStore } from '@otp/platform/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import { EmailDeliveryError, type Mailer, type OutgoingEmail } from '../email/mailer';
import type { CommandContext } from '../handling/command-context';
import { createCommandHandler } from '../handling/command-handler';
import { Refusal } from '../handling/refusal';
import { loadOrCreateSigningKeys } from '../tokens/signing-keys';
import { createTokenIssuer } from '../tokens/token-issuer';
import type { CommandDeps } from '../handling/command-deps';
import { registerCustomer } from '../customers/register-customer';
import { requestOtp } from './request-otp';
import { verifyOtp } from './verify-otp';

/** The use cases over a real SQLite event store: what HTTP tests cannot force, such as races and a dead mail server. */
describe('OTP login use cases', () => {
  let dir: string;
  let eventStore: SqliteEventStore;
  let deps: CommandDeps;
  let sent: OutgoingEmail[];
  let mailWorks: boolean;
  let customerId: string;

  const ctx = (tenantId: string): CommandContext => ({
    commandId: randomUUID(),
    requestId: randomUUID(),
    correlationId: 'test',
    causationId: 'test',
    tenantId,
    actor: 'operator',
    now: new Date(),
  });
  // What one process keeps: its own cache and queue, as a composition root makes them.
  const commandsOf = (store: EventStore) => createCommandHandler({ eventStore: store, states: new StreamStateCache() });
  const codeOf = (refused: PromiseRejectedResult) => (refused.reason as Refusal).code;
  const codeSentTo = (email: string) => /sign-in code is ([0-9]+)/.exec(sent.filter((m) => m.to === email).at(-1)!.text)![1]!;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otp-usecase-'));
    eventStore = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    sent = [];
    mailWorks = true;
    const mailer: Mailer = {
      provider: 'smtp',
      async send(email) {
        if (!mailWorks) throw new EmailDeliveryError('smtp', 'unavailable', 'ECONNECTION');
        sent.push(email);
      },
      async close() {},
    };
    const hashKey = Buffer.alloc(32, 7);
    const tokens = createTokenIssuer(await loadOrCreateSigningKeys(join(dir, 'key.json')), hashKey, {
      issuer: 'http://test',
      sessionMaxAgeSeconds: 7200,
    });
    // Nothing here checks a domain: a port no DNS server listens on.
    const lookupTxt = createTxtLookup({ servers: ['127.0.0.1:9'] });
    deps = {
      commands: commandsOf(eventStore),
      hashKey,
      mailer,
      mailers: { for: () => mailer },
      tokens,
      logger: createLogger({ level: 'silent' }),
      encryptionKey: Buffer.alloc(32, 8),
      lookupTxt,
    };
    customerId = (await registerCustomer(deps, { name: 'Acme', email: 'ops@acme.test' }, ctx('operator'))).customer.id;
  });

  afterEach(async () => {
    await eventStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets exactly one of several concurrent verifies of the same code through', async () => {
    await requestOtp(deps, { customerId, email: 'ada@example.com' }, ctx(customerId));
    const code = codeSentTo('ada@example.com');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        verifyOtp(deps, { customerId, clientId: 'key_000000000001', email: 'ada@example.com', code }, ctx(customerId)),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused.map(codeOf)).toEqual(Array(7).fill('code_not_valid'));
    const types = (await eventStore.readStream(streams.otp(customerId, emailKey(deps.hashKey, customerId, 'ada@example.com')))).map(
      (e) => e.type,
    );
    expect(types.filter((t) => t === 'OtpVerified')).toHaveLength(1);
  });

  it('retries a conflict with another process and still lets only one verify through', async () => {
    // A second connection to the same file is another process as far as SQLite is concerned.
    const other = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    try {
      await requestOtp(deps, { customerId, email: 'ada@example.com' }, ctx(customerId));
      const code = codeSentTo('ada@example.com');
      const elsewhere = { ...deps, commands: commandsOf(other) };
      const attempts = [deps, elsewhere, deps, elsewhere];
      const results = await Promise.allSettled(
        attempts.map((d) => verifyOtp(d, { customerId, clientId: 'key_000000000001', email: 'ada@example.com', code }, ctx(customerId))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => codeOf(r))).toEqual(Array(3).fill('code_not_valid'));
    } finally {
      await other.close();
    }
  });

  it('never counts more wrong attempts than allowed, however many arrive at once', async () => {
    await requestOtp(deps, { customerId, email: 'eve@example.com' }, ctx(customerId));
    const wrong = codeSentTo('eve@example.com') === '000000000' ? '000000001' : '000000000';
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        verifyOtp(deps, { customerId, clientId: 'key_000000000001', email: 'eve@example.com', code: wrong }, ctx(customerId)),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(0);
    const events = await eventStore.readStream(streams.otp(customerId, emailKey(deps.hashKey, customerId, 'eve@example.com')));
    const wrongCodes = events.filter((e) => e.type === 'OtpVerificationFailed' && e.data.reason === 'wrong_code');
    expect(wrongCodes).toHaveLength(5);
    expect(events.filter((e) => e.type === 'OtpChallengeLocked')).toHaveLength(1);
    // And the right code no longer helps, answered like any other failure; the lock holds back only this code.
    const locked = await verifyOtp(
      deps,
      { customerId, clientId: 'key_000000000001', email: 'eve@example.com', code: codeSentTo('eve@example.com') },
      ctx(customerId),
    ).catch((e: unknown) => e);
    expect(locked).toMatchObject({ code: 'code_not_valid', details: {} });
    const next = await requestOtp(deps, { customerId, email: 'eve@example.com' }, ctx(customerId));
    expect(next.challengeId).toMatch(/^chl_/);
  });

  it('refuses with a wait when the mail server is down, and a later request works', async () => {
    mailWorks = false;
    const failed = await requestOtp(deps, { customerId, email: 'bob@example.com' }, ctx(customerId)).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Refusal);
    expect(failed).toMatchObject({ code: 'email_delivery_failed', details: { retryAfterSeconds: 5 } });
    expect((failed as Error).message).not.toMatch(/[0-9]{9}/);
    mailWorks = true;
    await requestOtp(deps, { customerId, email: 'bob@example.com' }, ctx(customerId));
    const tokens = await verifyOtp(
      deps,
      { customerId, clientId: 'key_000000000001', email: 'bob@example.com', code: codeSentTo('bob@example.com') },
      ctx(customerId),
    );
    expect(tokens.user.email).toBe('bob@example.com');
    const events = await eventStore.readStream(streams.otp(customerId, emailKey(deps.hashKey, customerId, 'bob@example.com')));
    expect(events.map((e) => [e.type, e.data['reason']])).toEqual([
      ['OtpRequested', undefined],
      ['EmailFailed', 'unavailable'],
      ['OtpRequested', undefined],
      ['EmailSent', undefined],
      ['OtpVerified', undefined],
    ]);
  });

  it('treats differently written forms of one address as one user', async () => {
    await requestOtp(deps, { customerId, email: '  Ada@Example.COM ' }, ctx(customerId));
    const first = await verifyOtp(
      deps,
      { customerId, clientId: 'key_000000000001', email: 'ada@example.com', code: codeSentTo('ada@example.com') },
      ctx(customerId),
    );
    await requestOtp(deps, { customerId, email: 'ADA@example.com' }, ctx(customerId));
    const second = await verifyOtp(
      deps,
      { customerId, clientId: 'key_000000000001', email: 'Ada@Example.com', code: codeSentTo('ada@example.com') },
      ctx(customerId),
    );
    expect(second.user.id).toBe(first.user.id);
  });
});
