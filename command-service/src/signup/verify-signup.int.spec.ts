import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTxtLookup } from '@otp/platform/dns';
import { StreamStateCache } from '@otp/platform/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import type { Mailer, OutgoingEmail } from '../email/mailer';
import type { CommandContext } from '../handling/command-context';
import { createCommandHandler } from '../handling/command-handler';
import type { CommandDeps } from '../handling/command-deps';
import { Refusal } from '../handling/refusal';
import type { TokenIssuer } from '../tokens/token-issuer';
import { requestSignup } from './request-signup';
import { verifySignup } from './verify-signup';

/**
 * Two processes over one SQLite file, each with its own cache and per-stream queue: nothing in
 * memory keeps them from racing, so only the store's expected revisions can make one customer.
 */
describe('verifying one signup from two processes at once', () => {
  let dir: string;
  let stores: SqliteEventStore[];
  const hashKey = Buffer.alloc(32, 4);
  const mail: OutgoingEmail[] = [];
  const mailer: Mailer = { send: async (email) => void mail.push(email), close: async () => {} };
  const ctx = (): Omit<CommandContext, 'tenantId'> => ({
    commandId: randomUUID(),
    requestId: randomUUID(),
    correlationId: 'test',
    causationId: 'test',
    actor: 'system',
    now: new Date(),
  });
  const startProcess = (): CommandDeps => {
    const eventStore = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    stores.push(eventStore);
    return {
      commands: createCommandHandler({ eventStore, states: new StreamStateCache() }),
      hashKey,
      mailer,
      mailers: { for: () => mailer },
      tokens: {} as TokenIssuer,
      logger: createLogger({ level: 'silent' }),
      // Signups are sealed nothing with; the key only has to be the right size.
      encryptionKey: Buffer.alloc(32),
      // Nothing here checks a domain: a port no DNS server listens on.
      lookupTxt: createTxtLookup({ servers: ['127.0.0.1:9'] }),
    };
  };
  const codeOf = (challengeId: string) => /sign-up code is ([0-9]{9})/.exec(mail.find((m) => m.id === challengeId)?.text ?? '')![1]!;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-signup-race-'));
    stores = [];
    mail.length = 0;
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers one customer with one key when two right codes of one email are verified in two processes', async () => {
    const [a, b] = [startProcess(), startProcess()];
    const body = { email: 'ada@race.test', companyName: 'Race Ltd' };
    const first = await requestSignup(a, body, ctx());
    const second = await requestSignup(b, body, ctx());

    const answers = await Promise.allSettled([
      verifySignup(a, { email: body.email, code: codeOf(first.challengeId), challengeId: first.challengeId }, ctx()),
      verifySignup(b, { email: body.email, code: codeOf(second.challengeId), challengeId: second.challengeId }, ctx()),
    ]);
    const created = answers.filter((r) => r.status === 'fulfilled');
    const refused = answers.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
    expect(created).toHaveLength(1);
    expect(refused).toEqual([expect.any(Refusal)]);
    expect((refused[0] as Refusal).code).toBe('signup_already_completed');

    const customerId = created[0]!.value.customer.id;
    const events = await stores[0]!.readStream(`customer-${customerId}`);
    expect(events.map((e) => e.type)).toEqual(['CustomerRegistered', 'ApiKeyIssued']);
    expect(events[1]!.data).toMatchObject({ keyId: created[0]!.value.apiKey.id });
  });
});
