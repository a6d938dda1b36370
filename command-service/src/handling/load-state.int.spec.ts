import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streams } from '@otp/contracts';
import { createApiKeyAuthenticator } from '@otp/platform/auth';
import { createTxtLookup } from '@otp/platform/dns';
import { observeAppends, StreamStateCache, type EventStore, type ReadStreamOptions } from '@otp/platform/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import type { CommandDeps } from './command-deps';
import { issueApiKey } from '../customers/issue-api-key';
import { registerCustomer } from '../customers/register-customer';
import type { Mailer } from '../email/mailer';
import type { TenantMailers } from '../email/tenant-mailers';
import type { TokenIssuer } from '../tokens/token-issuer';
import type { CommandContext } from './command-context';
import { createCommandHandler } from './command-handler';

/** A key presented by a server: no Origin header. */
const SERVER_CALL = { origin: undefined };

/** The write-model cache over real SQLite files: a second connection, with its own cache, is another process. */
describe('loading stream state through the cache', () => {
  let dir: string;
  let stores: SqliteEventStore[];
  const hashKey = Buffer.alloc(32, 9);
  const ctx = (): CommandContext => ({
    commandId: randomUUID(),
    requestId: randomUUID(),
    correlationId: 'test',
    causationId: 'test',
    tenantId: 'operator',
    actor: 'operator',
    now: new Date(),
  });
  // What a process keeps: one cache per store here, as each composition root makes one.
  const processes = new Map<EventStore, { states: StreamStateCache; deps: CommandDeps }>();
  const processOf = (eventStore: EventStore) => {
    let found = processes.get(eventStore);
    if (!found) {
      const states = new StreamStateCache();
      found = { states, deps: depsWith(createCommandHandler({ eventStore, states })) };
      processes.set(eventStore, found);
    }
    return found;
  };
  const depsFor = (eventStore: EventStore): CommandDeps => processOf(eventStore).deps;
  const authenticatorFor = (eventStore: EventStore) =>
    createApiKeyAuthenticator({ eventStore, states: processOf(eventStore).states, hashKey });
  const depsWith = (commands: CommandDeps['commands']): CommandDeps => ({
    commands,
    hashKey,
    mailer: {} as Mailer,
    mailers: {} as TenantMailers,
    tokens: {} as TokenIssuer,
    logger: createLogger({ level: 'silent' }),
    encryptionKey: Buffer.alloc(32, 8),
    // Nothing here checks a domain: a port no DNS server listens on.
    lookupTxt: createTxtLookup({ servers: ['127.0.0.1:9'] }),
  });
  const open = () => {
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-load-state-'));
    stores = [];
    processes.clear();
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees a key another process issued after this one cached the customer', async () => {
    const mine = open();
    const theirs = open();
    const registered = await registerCustomer(depsFor(mine), { name: 'Acme', email: 'ops@acme.test' }, ctx());
    const authenticate = authenticatorFor(mine);
    await authenticate(registered.apiKey.key, SERVER_CALL);

    const issuedElsewhere = await issueApiKey(depsFor(theirs), { customerId: registered.customer.id, scopes: ['audit:read'] }, ctx());
    await expect(authenticate(issuedElsewhere.key, SERVER_CALL)).resolves.toMatchObject({
      keyId: issuedElsewhere.id,
      scopes: ['audit:read'],
    });
  });

  it('decides on the newest state when another process wrote since the last command here', async () => {
    const mine = open();
    const theirs = open();
    const { customer } = await registerCustomer(depsFor(mine), { name: 'Acme', email: 'ops@acme.test' }, ctx());
    await issueApiKey(depsFor(mine), { customerId: customer.id, scopes: ['otp:write'] }, ctx());
    await issueApiKey(depsFor(theirs), { customerId: customer.id, scopes: ['otp:write'] }, ctx());
    // Appended at the revision read: a stale cached state would be a conflict the handler gives up on after retries.
    await issueApiKey(depsFor(mine), { customerId: customer.id, scopes: ['otp:write'] }, ctx());
    const revisions = (await mine.readStream(streams.customer(customer.id))).map((e) => e.revision);
    expect(revisions).toEqual([0n, 1n, 2n, 3n, 4n]);
  });

  it('reads only the events after the state it holds', async () => {
    const store = open();
    const reads: (ReadStreamOptions | undefined)[] = [];
    const observed: EventStore = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'readStream') return Reflect.get(target, property, receiver) as unknown;
        return (name: string, options?: ReadStreamOptions) => {
          reads.push(options);
          return target.readStream(name, options);
        };
      },
    });
    const registered = await registerCustomer(depsFor(observed), { name: 'Acme', email: 'ops@acme.test' }, ctx());
    const authenticate = authenticatorFor(observed);
    reads.length = 0;
    await authenticate(registered.apiKey.key, SERVER_CALL);
    await authenticate(registered.apiKey.key, SERVER_CALL);
    // Registration appended revisions 0 and 1 and kept the state it decided.
    expect(reads).toEqual([{ after: 1n }, { after: 1n }]);
  });

  it('keeps one state per stream when the commands and the key check are handed different store objects', async () => {
    // As in the embedded composition: the commands get the store wrapped to count appends, the key check the bare one.
    const store = open();
    const reads: (ReadStreamOptions | undefined)[] = [];
    const bare: EventStore = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'readStream') return Reflect.get(target, property, receiver) as unknown;
        return (name: string, options?: ReadStreamOptions) => {
          reads.push(options);
          return target.readStream(name, options);
        };
      },
    });
    const states = new StreamStateCache();
    const commands = createCommandHandler({ eventStore: observeAppends(bare, () => {}), states });
    const registered = await registerCustomer(depsWith(commands), { name: 'Acme', email: 'ops@acme.test' }, ctx());
    reads.length = 0;
    await createApiKeyAuthenticator({ eventStore: bare, states, hashKey })(registered.apiKey.key, SERVER_CALL);
    expect(reads).toEqual([{ after: 1n }]);
  });
});
