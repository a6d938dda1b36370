import { randomUUID } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import Database from 'better-sqlite3';
import { compactVerify, createRemoteJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_TYP,
  GENESIS_HASH,
  HistoryLine,
  RUNNING_HASH_GENESIS,
  chainHash,
  runningHash,
  signCheckpoint,
  type CheckpointResponse,
} from '@otp/contracts';
import {
  apiKeyIssued,
  customerRegistered,
  loggedIn,
  otpRequested,
  specApiKey,
  specChallenge,
  specTenant,
  specUserId,
  wrongCodesTried,
  type SpecTenant,
} from '../support/given-events';
import type { HttpCall } from '../support/http';
import { expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';
import { SPEC_ISSUER } from '../support/route-app';

/** The auditor's raw history of command-service/src/audit-history: NDJSON export, signed checkpoints, verification. */
function history(tenant: SpecTenant) {
  const ada = specChallenge(tenant, 'ada@example.com', { at: new Date('2026-03-01T10:00:00.000Z') });
  return [
    customerRegistered(tenant, new Date('2026-03-01T09:00:00.000Z')),
    otpRequested(ada),
    wrongCodesTried(ada, 2),
    loggedIn(ada, specUserId()),
  ].flat();
}
const TYPES = [
  'CustomerRegistered',
  'ApiKeyIssued',
  'OtpRequested',
  'OtpVerificationFailed',
  'OtpVerificationFailed',
  'OtpVerified',
  'UserCreated',
  'UserLoggedIn',
  'SessionStarted',
];

const get = (tenant: SpecTenant, path: string) => (http: HttpCall) => http('GET', path, { token: tenant.key.key });
const linesOf = (text: string): HistoryLine[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => HistoryLine.parse(JSON.parse(line)));

describe('GET /v1/audit/events, /v1/audit/checkpoint, /v1/audit/verify', () => {
  const spec = useRouteSpec();

  async function checkpoint(tenant: SpecTenant): Promise<CheckpointResponse> {
    const response = await spec.http('GET', '/v1/audit/checkpoint', { token: tenant.key.key });
    expect(response.status).toBe(200);
    return response.body as CheckpointResponse;
  }

  /** Runs `change` on the store's file through a connection of its own, as someone with the file would. */
  function behindTheServicesBack(change: (db: Database.Database) => void): void {
    const db = new Database(spec.app.eventsFile);
    try {
      db.transaction(() => change(db)).immediate();
    } finally {
      db.close();
    }
  }

  it("streams the tenant's events as NDJSON, numbered by its own sequence, with the hash chain and no global position", () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    return spec
      .given(customerRegistered(globex), history(acme))
      .when(get(acme, '/v1/audit/events'))
      .then(
        expectResponse(200, { headers: { 'content-type': /^application\/x-ndjson/ } }),
        expectThat(async ({ response, app }) => {
          const lines = linesOf(response.text);
          expect(lines.map((l) => [l.sequence, l.type])).toEqual(TYPES.map((type, i) => [i + 1, type]));
          expect(lines.every((l) => l.metadata.tenantId === acme.id)).toBe(true);
          expect(response.text).not.toMatch(/"position"/);
          const stored = await app.eventStore.readTenant(acme.id);
          expect(lines.map((l) => [l.id, l.stream, l.revision, l.data, l.metadata])).toEqual(
            stored.map((e) => [e.id, e.streamName, Number(e.revision), e.data, e.metadata]),
          );
        }),
      );
  });

  it('keeps the events after `after` up to `until` (sequence numbers), and of one stream when asked', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(get(acme, `/v1/audit/events?after=2&until=5&stream=${encodeURIComponent(`customer-${acme.id}`)}`))
      .then(
        expectResponse(200),
        expectThat(({ response }) => expect(linesOf(response.text)).toEqual([])),
      )
      .then(async () => {
        const window = await spec.http('GET', '/v1/audit/events?after=2&until=5', { token: acme.key.key });
        expect(linesOf(window.text).map((l) => [l.sequence, l.type])).toEqual([
          [3, 'OtpRequested'],
          [4, 'OtpVerificationFailed'],
          [5, 'OtpVerificationFailed'],
        ]);
        const customer = await spec.http('GET', `/v1/audit/events?stream=customer-${acme.id}`, { token: acme.key.key });
        expect(linesOf(customer.text).map((l) => [l.sequence, l.type])).toEqual([
          [1, 'CustomerRegistered'],
          [2, 'ApiKeyIssued'],
        ]);
      });
  });

  it('signs a checkpoint of the running hash: a JWS of its own typ that verifies against the JWKS, and no access token', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(get(acme, '/v1/audit/checkpoint'))
      .then(
        expectResponse(200, {
          body: { tenantId: acme.id, sequence: TYPES.length, iss: SPEC_ISSUER, head: expect.stringMatching(/^[0-9a-f]{64}$/) },
        }),
        expectThat(async ({ response, app }) => {
          const body = response.body as CheckpointResponse;
          const jwks = createRemoteJWKSet(new URL(`${app.baseUrl}/.well-known/jwks.json`));
          const { payload, protectedHeader } = await compactVerify(body.checkpoint, jwks);
          expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: CHECKPOINT_TYP, kid: expect.any(String) });
          const { checkpoint: _jws, ...claims } = body;
          expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(claims);
          // The head, recomputed from the export alone.
          const lines = linesOf((await spec.http('GET', '/v1/audit/events', { token: acme.key.key })).text);
          expect(lines.reduce((head, l) => runningHash(head, l.metadata.hash), RUNNING_HASH_GENESIS)).toBe(body.head);
          // Not an access token: a tenant backend's verifier and the service's own both refuse it.
          await expect(jwtVerify(body.checkpoint, jwks, { typ: 'at+jwt', issuer: SPEC_ISSUER })).rejects.toThrow();
          const me = await spec.http('GET', '/v1/users/me', { token: body.checkpoint });
          expect([me.status, me.body.type]).toEqual([401, 'https://otp-auth.dev/problems/invalid-token']);
          const introspected = await spec.http('POST', '/v1/tokens/introspect', { token: acme.key.key, body: { token: body.checkpoint } });
          expect(introspected.body).toEqual({ active: false });
        }),
      );
  });

  it('verifies an untouched history, and after normal growth says it extends the checkpoint saved before', async () => {
    const acme = specTenant();
    const saved = await spec.given(history(acme)).when(get(acme, '/v1/audit/checkpoint')).thenOutcome(expectResponse(200));
    const later = specChallenge(acme, 'bob@example.com');
    return spec
      .given(otpRequested(later), wrongCodesTried(later, 1))
      .when(get(acme, `/v1/audit/verify?since=${saved.response.body.checkpoint}`))
      .then(
        expectResponse(200, { body: { valid: true, eventsChecked: TYPES.length + 2, extendsCheckpoint: true } }),
        expectThat(async ({ response }) => {
          expect(response.body.firstBadSequence).toBeUndefined();
          expect(response.body.head).toBe((await checkpoint(acme)).head);
          const plain = await spec.http('GET', '/v1/audit/verify', { token: acme.key.key });
          expect(plain.body).toEqual({ valid: true, eventsChecked: TYPES.length + 2, head: response.body.head });
        }),
      );
  });

  it('answers valid: false at the event whose data was altered in the SQLite file', async () => {
    const acme = specTenant();
    const saved = await spec.given(history(acme)).when(get(acme, '/v1/audit/checkpoint')).thenOutcome(expectResponse(200));
    behindTheServicesBack((db) =>
      db.prepare("UPDATE events SET data = json_set(data, '$.attemptsRemaining', 5) WHERE tenant = ? AND tenant_seq = 4").run(acme.id),
    );
    return spec
      .given()
      .when(get(acme, `/v1/audit/verify?since=${saved.response.body.checkpoint}`))
      .then(expectResponse(200, { body: { valid: false, eventsChecked: TYPES.length, firstBadSequence: 4, extendsCheckpoint: true } }));
  });

  it('refuses a history rewritten and re-chained consistently against a checkpoint saved before', async () => {
    const acme = specTenant();
    const saved = await spec.given(history(acme)).when(get(acme, '/v1/audit/checkpoint')).thenOutcome(expectResponse(200));
    behindTheServicesBack((db) => {
      // One failed attempt less, and every hash of the tenant recomputed so each stream's chain holds again.
      const rows = db
        .prepare('SELECT position, event_id, stream, revision, type, data, metadata FROM events WHERE tenant = ? ORDER BY position')
        .all(acme.id) as {
        position: number;
        event_id: string;
        stream: string;
        revision: number;
        type: string;
        data: string;
        metadata: string;
      }[];
      const heads = new Map<string, string>();
      const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
      for (const row of rows) {
        const data = JSON.parse(row.data) as Record<string, unknown>;
        if (row.type === 'OtpVerificationFailed') data['attemptsRemaining'] = 4;
        const { hash: _old, ...metadata } = JSON.parse(row.metadata) as Record<string, unknown>;
        const hash = chainHash(heads.get(row.stream) ?? GENESIS_HASH, {
          streamName: row.stream,
          revision: BigInt(row.revision),
          id: row.event_id,
          type: row.type,
          data,
          metadata,
        });
        heads.set(row.stream, hash);
        update.run(JSON.stringify(data), JSON.stringify({ ...metadata, hash }), row.position);
      }
    });
    return spec
      .given()
      .when(get(acme, `/v1/audit/verify?since=${saved.response.body.checkpoint}`))
      .then(
        expectResponse(200, { body: { valid: false, eventsChecked: TYPES.length, extendsCheckpoint: false } }),
        expectThat(async ({ response }) => {
          expect(response.body.firstBadSequence).toBeUndefined();
          // On its own the rewritten history is consistent: only the checkpoint held outside tells.
          const plain = await spec.http('GET', '/v1/audit/verify', { token: acme.key.key });
          expect(plain.body).toMatchObject({ valid: true, eventsChecked: TYPES.length });
          expect(plain.body.head).not.toBe(saved.response.body.head);
        }),
      );
  });

  it("keeps tenants apart: neither reads the other's events, and another tenant's checkpoint is refused", async () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    const theirs = await spec
      .given(history(acme), customerRegistered(globex))
      .when(get(acme, '/v1/audit/checkpoint'))
      .thenOutcome(expectResponse(200));
    const own = await checkpoint(globex);
    expect(own).toMatchObject({ tenantId: globex.id, sequence: 2 });
    const exported = linesOf((await spec.http('GET', '/v1/audit/events', { token: globex.key.key })).text);
    expect(exported.map((l) => [l.sequence, l.metadata.tenantId])).toEqual([
      [1, globex.id],
      [2, globex.id],
    ]);
    return spec
      .given()
      .when(get(globex, `/v1/audit/verify?since=${theirs.response.body.checkpoint}`))
      .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'since', message: "another tenant's checkpoint" }] } }));
  });

  it('refuses a checkpoint not signed by this service, and an access token offered as one', async () => {
    const acme = specTenant();
    const { privateKey } = await generateKeyPair('EdDSA');
    const stranger = await spec.given(history(acme)).when(get(acme, '/v1/audit/checkpoint')).thenOutcome(expectResponse(200));
    const { checkpoint: real, ...claims } = stranger.response.body as CheckpointResponse;
    const kid = decodeProtectedHeader(real).kid!;
    const forged = await signCheckpoint(claims, { kid, alg: 'EdDSA', privateKey });
    for (const since of [forged, `${real.split('.').slice(0, 2).join('.')}.${'A'.repeat(86)}`]) {
      const refused = await spec.http('GET', `/v1/audit/verify?since=${since}`, { token: acme.key.key });
      expect([refused.status, refused.body.errors]).toEqual([400, [{ path: 'since', message: 'not a checkpoint signed by this service' }]]);
    }
  });

  it.each([
    ['a negative `after`', '/v1/audit/events?after=-1', 'after'],
    ['an `until` before `after`', '/v1/audit/events?after=5&until=4', 'until'],
    ['a global position parameter', '/v1/audit/events?position=3', 'position'],
    ['a `since` that is no JWS', '/v1/audit/verify?since=not-a-checkpoint', 'since'],
  ])('refuses %s', (_name, path, field) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(get(acme, path))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path: field })] } }));
  });

  it.each(['/v1/audit/events', '/v1/audit/checkpoint', '/v1/audit/verify'])('asks for audit:read on %s', (path) => {
    const acme = specTenant();
    const writer = specApiKey(acme.id, ['otp:write', 'analytics:read']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, writer))
      .when((http) => http('GET', path, { token: writer.key }))
      .then(expectProblem(403, 'insufficient-scope'));
  });

  it.each(['/v1/audit/events', '/v1/audit/checkpoint', '/v1/audit/verify'])('asks for a key on %s', (path) =>
    spec
      .given()
      .when((http) => http('GET', path))
      .then(expectProblem(401, 'unauthenticated')),
  );
});

describe('GET /v1/audit/events under a client that stops reading', () => {
  const spec = useRouteSpec({ projections: false });
  const PAGE = 1000;
  const EVENTS = 24 * PAGE;

  const pagesRead = async (): Promise<number> => {
    const metrics = await spec.http('GET', '/metrics', { token: SPEC_OPERATOR_TOKEN });
    const count = /^audit_history_pages_read_total (\d+)$/m.exec(metrics.text)?.[1];
    // Without the counter the loops below would wait for ever: fail at once, saying why.
    if (count === undefined) throw new Error(`no audit_history_pages_read_total on /metrics (${metrics.status})`);
    return Number(count);
  };
  /** The counter once it stays put over a few looks: the server has read what it will read. */
  const settledPages = async (): Promise<number> => {
    for (let last = await pagesRead(); ;) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const now = await pagesRead();
      if (now === last) return now;
      last = now;
    }
  };

  /**
   * A tenant whose history is three events, then `failures` failed attempts straight into the
   * store in one append (the route spec's given would take a request per event); `fail` makes more.
   */
  async function historyOf(failures: number) {
    const acme = specTenant();
    const ada = specChallenge(acme, 'ada@example.com');
    for (const given of [...customerRegistered(acme), otpRequested(ada)]) {
      const { streamName, type, data, metadata } = given;
      await spec.app.eventStore.append(streamName, [{ id: randomUUID(), type, data, metadata }], 'any');
    }
    const [failed] = wrongCodesTried(ada, 1);
    const fail = () => ({ id: randomUUID(), type: failed!.type, data: failed!.data, metadata: failed!.metadata });
    await spec.app.eventStore.append(failed!.streamName, Array.from({ length: failures }, fail), 'any');
    return { acme, fail, stream: failed!.streamName };
  }

  it('reads only what grew for a checkpoint after the one before, and signs the head a whole verification gives', async () => {
    const { acme, fail, stream } = await historyOf(2 * PAGE);
    const checkpointOf = async () => {
      const before = await settledPages();
      const response = await spec.http('GET', '/v1/audit/checkpoint', { token: acme.key.key });
      expect(response.status).toBe(200);
      return { ...(response.body as CheckpointResponse), pages: (await settledPages()) - before };
    };

    const first = await checkpointOf();
    expect([first.sequence, first.pages]).toEqual([2 * PAGE + 3, 3]);
    await spec.app.eventStore.append(stream, [fail()], 'any');
    const second = await checkpointOf();
    expect([second.sequence, second.pages]).toEqual([2 * PAGE + 4, 1]);
    const verified = await spec.http('GET', `/v1/audit/verify?since=${first.checkpoint}`, { token: acme.key.key });
    expect(verified.body).toMatchObject({ valid: true, extendsCheckpoint: true, eventsChecked: 2 * PAGE + 4, head: second.head });
  });

  it('stops reading the store while the client pauses, and reads the rest once it resumes', { timeout: 120_000 }, async () => {
    // A history large against the socket buffers (about 13 MB).
    const { acme } = await historyOf(EVENTS);
    const total = EVENTS + 3;
    const before = await settledPages();

    const { baseUrl } = spec.app;
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      request(`${baseUrl}/v1/audit/events`, { headers: { authorization: `Bearer ${acme.key.key}` } }, resolve)
        .on('error', reject)
        .end(),
    );
    expect(response.statusCode).toBe(200);
    // A few lines, then the client stops reading.
    const first = (await new Promise<Buffer>((resolve) => response.once('data', resolve))).toString();
    response.pause();
    expect(first.split('\n')[0]).toContain('"sequence":1');
    const paused = (await settledPages()) - before;
    expect(paused).toBeGreaterThan(0);
    expect(paused).toBeLessThan(Math.ceil(total / PAGE) / 2);
    expect((await settledPages()) - before, 'still paused: no page more').toBe(paused);

    let received = first;
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (received += chunk));
    await new Promise((resolve) => response.on('end', resolve).resume());
    const lines = received.split('\n').filter(Boolean);
    expect(lines).toHaveLength(total);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ sequence: total });
    expect((await pagesRead()) - before).toBe(Math.ceil(total / PAGE));
  });
});
