import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_CONFIG, formatApiKey, streams, type Scope } from '@otp/contracts';
import { apiKeyHash } from '../crypto/secret-hashes';
import { randomHex, randomToken } from '../crypto/secrets';
import type { EventStore, ReadStreamOptions } from '../event-store/port';
import { StreamStateCache } from '../event-store/stream-state-cache';
import { openSqliteEventStore, type SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { createApiKeyAuthenticator, type ApiKeyPrincipal } from './api-key-authenticator';

/** A key presented by a server: no Origin header. */
const SERVER_CALL = { origin: undefined };

/** The authenticator over a real SQLite store: which keys get in, what it reads, and what it tells. */
describe('API key authentication', () => {
  const hashKey = Buffer.alloc(32, 7);
  const customerId = `cus_${randomHex(8)}`;
  let dir: string;
  let store: SqliteEventStore;
  let reads: string[];
  let counted: EventStore;

  const meta = () => ({
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    tenantId: customerId,
    actor: 'operator',
    correlationId: 'c',
    causationId: 'c',
    requestId: 'r',
  });
  const issue = async (key: string, keyId: string, prefix: string, scopes: Scope[] = ['otp:write'], kind?: 'publishable') => {
    const data = {
      customerId,
      keyId,
      prefix,
      keyHash: apiKeyHash(hashKey, key),
      scopes,
      issuedAt: new Date().toISOString(),
      ...(kind ? { kind } : {}),
    };
    await store.append(streams.customer(customerId), [{ id: randomUUID(), type: 'ApiKeyIssued', data, metadata: meta() }], 'any');
  };
  const newKey = () => formatApiKey(customerId, randomHex(6), randomToken(32));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otp-auth-'));
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    reads = [];
    counted = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'readStream') return Reflect.get(target, property, receiver) as unknown;
        return (name: string, options?: ReadStreamOptions) => {
          reads.push(name);
          return target.readStream(name, options);
        };
      },
    });
    const registered = { customerId, name: 'Acme', email: 'ops@acme.test', plan: 'pro', registeredAt: new Date().toISOString() };
    await store.append(
      streams.customer(customerId),
      [{ id: randomUUID(), type: 'CustomerRegistered', data: registered, metadata: meta() }],
      'no_stream',
    );
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets in a key of the current format and tells who got in', async () => {
    const seen: ApiKeyPrincipal[] = [];
    const key = newKey();
    await issue(key.key, key.keyId, key.prefix);
    const authenticate = createApiKeyAuthenticator({
      eventStore: counted,
      states: new StreamStateCache(),
      hashKey,
      onAuthenticated: (p) => seen.push(p),
    });
    const principal = { customerId, keyId: key.keyId, scopes: ['otp:write'], kind: 'secret', plan: 'pro' };
    await expect(authenticate(key.key, SERVER_CALL)).resolves.toEqual(principal);
    expect(seen).toEqual([principal]);
  });

  it('lets in a key issued before the checksum', async () => {
    const keyHex = randomHex(6);
    const prefix = `ok_${customerId.slice(4)}_${keyHex}`;
    const key = `${prefix}_${randomToken(32)}`;
    await issue(key, `key_${keyHex}`, prefix);
    const authenticate = createApiKeyAuthenticator({ eventStore: counted, states: new StreamStateCache(), hashKey });
    await expect(authenticate(key, SERVER_CALL)).resolves.toMatchObject({ keyId: `key_${keyHex}` });
  });

  it('refuses a mistyped key before reading any stream', async () => {
    const key = newKey();
    await issue(key.key, key.keyId, key.prefix);
    const at = key.prefix.length + 10;
    const typo = `${key.key.slice(0, at)}${key.key[at] === 'x' ? 'y' : 'x'}${key.key.slice(at + 1)}`;
    const authenticate = createApiKeyAuthenticator({ eventStore: counted, states: new StreamStateCache(), hashKey });
    await expect(authenticate(typo, SERVER_CALL)).rejects.toMatchObject({ status: 401 });
    expect(reads).toEqual([]);
  });

  it('answers 403 to the holder of a suspended customer key, 401 to anyone else', async () => {
    const key = newKey();
    await issue(key.key, key.keyId, key.prefix);
    const suspended = { customerId, reason: 'unpaid', suspendedAt: new Date().toISOString() };
    await store.append(
      streams.customer(customerId),
      [{ id: randomUUID(), type: 'CustomerSuspended', data: suspended, metadata: meta() }],
      'any',
    );
    const authenticate = createApiKeyAuthenticator({ eventStore: counted, states: new StreamStateCache(), hashKey });
    await expect(authenticate(key.key, SERVER_CALL)).rejects.toMatchObject({
      status: 403,
      type: 'https://otp-auth.dev/problems/customer-inactive',
    });
    const forged = formatApiKey(customerId, key.keyId.slice(4), randomToken(32)).key;
    await expect(authenticate(forged, SERVER_CALL)).rejects.toMatchObject({
      status: 401,
      type: 'https://otp-auth.dev/problems/invalid-api-key',
    });
  });

  describe('from a browser', () => {
    const app = 'https://app.acme.test';
    const allow = async (origins: string[]) => {
      const config = { ...DEFAULT_TENANT_CONFIG, cors: { allowedOrigins: origins } };
      const data = { customerId, version: 1, config, changedAt: new Date().toISOString() };
      await store.append(streams.config(customerId), [{ id: randomUUID(), type: 'TenantConfigChanged', data, metadata: meta() }], 'any');
    };
    const publishable = async () => {
      const key = formatApiKey(customerId, randomHex(6), randomToken(32), 'publishable');
      await issue(key.key, key.keyId, key.prefix, ['otp:write'], 'publishable');
      return key;
    };
    const authenticator = () => createApiKeyAuthenticator({ eventStore: counted, states: new StreamStateCache(), hashKey });

    it('lets a publishable key in from an allowed origin on a route that admits it, telling its kind', async () => {
      const key = await publishable();
      await allow([app]);
      await expect(authenticator()(key.key, { origin: app, publishable: 'allowed' })).resolves.toEqual({
        customerId,
        keyId: key.keyId,
        scopes: ['otp:write'],
        kind: 'publishable',
        plan: 'pro',
      });
    });

    it.each([
      ['on a route that does not admit it', { origin: 'https://app.acme.test' }, 'publishable-key-not-allowed'],
      ['from a foreign origin', { origin: 'https://evil.test', publishable: 'allowed' as const }, 'origin-not-allowed'],
      ['without an Origin', { origin: undefined, publishable: 'allowed' as const }, 'origin-not-allowed'],
    ])('refuses a publishable key %s', async (_case, request, type) => {
      const key = await publishable();
      await allow([app]);
      await expect(authenticator()(key.key, request)).rejects.toMatchObject({ status: 403, type: `https://otp-auth.dev/problems/${type}` });
    });

    it('reads no config stream for a server call', async () => {
      const key = newKey();
      await issue(key.key, key.keyId, key.prefix);
      await authenticator()(key.key, SERVER_CALL);
      expect(reads).toEqual([streams.customer(customerId)]);
    });

    it('sees a newly allowed origin at the next request', async () => {
      const key = newKey();
      await issue(key.key, key.keyId, key.prefix);
      const authenticate = authenticator();
      await expect(authenticate(key.key, { origin: app })).rejects.toMatchObject({ status: 403 });
      await allow([app]);
      await expect(authenticate(key.key, { origin: app })).resolves.toMatchObject({ kind: 'secret' });
    });
  });
});
