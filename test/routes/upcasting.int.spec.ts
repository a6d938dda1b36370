import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { currentSchemaVersion, parseEvent } from '@otp/contracts';
import { expectResponse, useRouteSpec } from '../support/route-spec';

/**
 * test/fixtures/api-key-issued-v1.sqlite was written by the code before ApiKeyIssued's version 2
 * (every key says its kind): a customer and its secret key, the key's event at version 1, without
 * `kind`. Kept as it was written, so the upcaster is tested against a real file, not a copy of its idea.
 */
const FIXTURE = resolve(import.meta.dirname, '../fixtures/api-key-issued-v1.sqlite');
const KEY = 'ok_live_00000000000000f1_0000000000f1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_0tkIEU';

describe('a history written before ApiKeyIssued v2', () => {
  const spec = useRouteSpec({ eventsFrom: FIXTURE });

  it('holds a version 1 event without a kind, which reads back as version 2: a secret key', () => {
    const db = new Database(FIXTURE, { readonly: true, fileMustExist: true });
    const row = db.prepare("SELECT data, metadata FROM events WHERE type = 'ApiKeyIssued'").get() as { data: string; metadata: string };
    db.close();
    const stored = JSON.parse(row.data) as Record<string, unknown>;
    const version = (JSON.parse(row.metadata) as { schemaVersion: number }).schemaVersion;
    expect(version).toBe(1);
    expect(stored).not.toHaveProperty('kind');
    expect(currentSchemaVersion.ApiKeyIssued).toBe(2);
    expect(parseEvent('ApiKeyIssued', stored, version).data).toMatchObject({ keyId: 'key_0000000000f1', kind: 'secret' });
  });

  it('lets the key issued then in, as a secret key, and lists it as one', () =>
    spec
      .given()
      .when((http) => http('GET', '/v1/customer/api-keys', { token: KEY }))
      .then(expectResponse(200, { body: { items: [{ id: 'key_0000000000f1', kind: 'secret', status: 'active' }] } })));

  it('serves the key from a browser origin no more than before: a secret key, refused from an origin not allowed', () =>
    spec
      .given()
      .when((http) =>
        http('POST', '/v1/otp/request', { token: KEY, body: { email: 'ada@example.com' }, headers: { origin: 'https://evil.test' } }),
      )
      .then(expectResponse(403)));
});
