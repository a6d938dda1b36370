import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { EventMetadata, streams } from '@otp/contracts';
import { randomHex, randomToken, refreshTokenHash } from '@otp/platform/crypto';
import { apiKeyIssued, customerRegistered, specApiKey, specTenant, specUserId, type GivenEvent } from '../support/given-events';
import type { HttpCall } from '../support/http';
import { SPEC_ACCESS_TOKEN_TTL_SECONDS, SPEC_ISSUER } from '../support/route-app';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec, type SpecResponse } from '../support/route-spec';
import { CONSISTENCY_TOKEN, SPEC_HASH_KEY } from '../support/spec-secrets';
import { loginThroughApp, tokenForger } from '../support/spec-sessions';

/** The token routes of command-service/src/tokens and sessions: refresh with rotation and reuse detection, revoke, introspect. */
const refresh = (key: string, refreshToken: string) => (http: HttpCall) =>
  http('POST', '/v1/tokens/refresh', { token: key, body: { refreshToken } });
const revoke = (key: string, token: string) => (http: HttpCall) => http('POST', '/v1/tokens/revoke', { token: key, body: { token } });
const introspect = (key: string, token: string) => (http: HttpCall) =>
  http('POST', '/v1/tokens/introspect', { token: key, body: { token } });

/**
 * A session started `daysAgo` with a refresh token the spec holds, idle-expiring `idleDays` after
 * its start, and (unless `withUser` is false) its user's creation.
 */
function sessionGiven(tenantId: string, daysAgo: number, idleDays: number, withUser = true) {
  const sessionId = `ses_${randomHex(8)}`;
  const userId = specUserId();
  const token = `rt_${sessionId.slice(4)}_${randomToken(32)}`;
  const startedAt = new Date(Date.now() - daysAgo * 86_400_000);
  const requestId = randomUUID();
  const metadata = EventMetadata.parse({
    schemaVersion: 1,
    occurredAt: startedAt.toISOString(),
    tenantId,
    actor: 'system',
    correlationId: requestId,
    causationId: requestId,
    requestId,
  });
  const user: GivenEvent = {
    streamName: streams.user(tenantId, userId),
    type: 'UserCreated',
    data: { userId, customerId: tenantId, email: 'ada@example.com', emailKey: 'ek', createdAt: startedAt.toISOString() },
    metadata,
  };
  const event: GivenEvent = {
    streamName: streams.session(sessionId),
    type: 'SessionStarted',
    data: {
      sessionId,
      userId,
      customerId: tenantId,
      refreshTokenHash: refreshTokenHash(SPEC_HASH_KEY, token),
      startedAt: startedAt.toISOString(),
      expiresAt: new Date(startedAt.getTime() + idleDays * 86_400_000).toISOString(),
    },
    metadata,
  };
  return { events: withUser ? [user, event] : [event], token, sessionId };
}

describe('POST /v1/tokens/refresh', () => {
  const spec = useRouteSpec();

  it('answers a new pair and retires the old refresh token; the access token verifies as a tenant backend checks it', async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    const { response } = await spec
      .given()
      .when(refresh(acme.key.key, login.refreshToken))
      .thenOutcome(
        expectResponse(200, {
          body: { tokenType: 'Bearer', expiresIn: SPEC_ACCESS_TOKEN_TTL_SECONDS, user: { id: login.userId, email: 'ada@example.com' } },
          headers: { 'x-event-position': CONSISTENCY_TOKEN, 'cache-control': 'no-store' },
        }),
        expectNewEvents([{ type: 'SessionRefreshed', streamName: streams.session(login.sessionId), data: { sessionId: login.sessionId } }]),
      );
    const body = response.body as { accessToken: string; refreshToken: string };
    expect(body.refreshToken).toMatch(new RegExp(`^rt_${login.sessionId.slice(4)}_[A-Za-z0-9_-]{43}$`));
    expect(body.refreshToken).not.toBe(login.refreshToken);
    // As a tenant's backend would: the remote JWKS, with typ, iss and aud checked.
    const jwks = createRemoteJWKSet(new URL(`${spec.app.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(body.accessToken, jwks, { typ: 'at+jwt', issuer: SPEC_ISSUER, audience: acme.id });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toMatchObject({
      sub: login.userId,
      aud: acme.id,
      client_id: acme.key.id,
      sid: login.sessionId,
      jti: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(SPEC_ACCESS_TOKEN_TTL_SECONDS);
    expect(payload.jti).not.toBe(decodeJwt(login.accessToken).jti);
  });

  it('revokes the whole session when a retired refresh token comes back, and refuses the current one from then on', async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    const rotated = await spec
      .given()
      .when(refresh(acme.key.key, login.refreshToken))
      .thenOutcome(expectResponse(200), expectNewEvents([{ type: 'SessionRefreshed' }]));
    await spec
      .given()
      .when(refresh(acme.key.key, login.refreshToken))
      .then(
        expectProblem(401, 'invalid-token', { body: { code: 'refresh_token_reused' } }),
        expectNewEvents([
          { type: 'SessionRevoked', streamName: streams.session(login.sessionId), data: { reason: 'refresh_token_reused' } },
        ]),
      );
    const current = (rotated.response.body as { refreshToken: string }).refreshToken;
    await spec
      .given()
      .when(refresh(acme.key.key, current))
      .then(expectProblem(401, 'invalid-token', { body: { code: 'session_revoked' } }));
    await spec
      .given()
      .when(introspect(acme.key.key, current))
      .then(expectResponse(200, { equals: { active: false } }));
  });

  it('gives exactly one new pair to twenty concurrent refreshes of one token', async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    let answers: SpecResponse[] = [];
    await spec
      .given()
      .when(async (http) => {
        answers = await Promise.all(Array.from({ length: 20 }, () => refresh(acme.key.key, login.refreshToken)(http)));
        return answers.find((a) => a.status === 200) ?? answers[0]!;
      })
      .then(
        expectResponse(200),
        // The first exchange retires the token; the second presents a retired one, which ends the family; the rest find it ended.
        expectNewEvents([{ type: 'SessionRefreshed' }, { type: 'SessionRevoked', data: { reason: 'refresh_token_reused' } }]),
        expectThat(() => {
          expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
          expect(answers.filter((a) => a.status === 401)).toHaveLength(19);
        }),
      );
  });

  it.each([
    ['past its idle expiry', 10, 5],
    ['past its absolute expiry (90 days), though not idle', 91, 120],
  ])('refuses a session %s, recording nothing', (_name, daysAgo, idleDays) => {
    const acme = specTenant();
    const session = sessionGiven(acme.id, daysAgo, idleDays);
    return spec
      .given(customerRegistered(acme), session.events)
      .when(refresh(acme.key.key, session.token))
      .then(expectProblem(401, 'invalid-token', { body: { code: 'session_expired' } }));
  });

  it('refuses a session whose user stream is missing before rotating its token away', () => {
    const acme = specTenant();
    const session = sessionGiven(acme.id, 1, 30, false);
    return spec
      .given(customerRegistered(acme), session.events)
      .when(refresh(acme.key.key, session.token))
      .then(expectProblem(401, 'invalid-token', { body: { code: 'user_not_found' } }));
  });

  it("refuses another tenant's refresh token as if it did not exist, recording nothing", async () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    const login = await loginThroughApp(spec, acme);
    await spec
      .given(customerRegistered(globex))
      .when(refresh(globex.key.key, login.refreshToken))
      .then(expectProblem(401, 'invalid-token', { body: { code: 'refresh_token_unknown' } }));
  });

  it.each([
    ['a token of the first shape, which names no session', `rt_${randomToken(32)}`, 'refresh_token_unknown'],
    ['an access token', 'eyJhbGciOiJFZERTQSJ9.e30.sig', 'refresh_token_unknown'],
    ['a guessed secret for a real session', 'guess', 'refresh_token_unknown'],
  ])('refuses %s', async (name, token, code) => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    const presented = name.startsWith('a guessed') ? `${login.refreshToken.slice(0, -43)}${randomToken(32)}` : token;
    await spec
      .given()
      .when(refresh(acme.key.key, presented))
      .then(expectProblem(401, 'invalid-token', { body: { code } }));
  });

  it.each([
    ['no credential', undefined, { refreshToken: 'rt_x' }, 401, 'unauthenticated'],
    ['a key without otp:write', 'analyst', { refreshToken: 'rt_x' }, 403, 'insufficient-scope'],
    ['an unknown field', 'admin', { refreshToken: 'rt_x', scope: 'more' }, 400, 'validation'],
    ['a missing token', 'admin', {}, 400, 'validation'],
  ])('refuses %s', (_name, who, body, status, type) => {
    const acme = specTenant();
    const analyst = specApiKey(acme.id, ['analytics:read']);
    const token = who === 'analyst' ? analyst.key : who === 'admin' ? acme.key.key : undefined;
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, analyst))
      .when((http) => http('POST', '/v1/tokens/refresh', { ...(token ? { token } : {}), body }))
      .then(expectProblem(status, type));
  });
});

describe('POST /v1/tokens/revoke', () => {
  const spec = useRouteSpec();

  it.each(['refresh', 'access'] as const)(
    'ends the session named by its %s token; its tokens stop being accepted by introspection at once',
    async (kind) => {
      const acme = specTenant();
      const login = await loginThroughApp(spec, acme);
      await spec
        .given()
        .when(revoke(acme.key.key, kind === 'refresh' ? login.refreshToken : login.accessToken))
        .then(
          expectResponse(200, { equals: {} }),
          expectNewEvents([{ type: 'SessionRevoked', streamName: streams.session(login.sessionId), data: { reason: 'logout' } }]),
        );
      for (const token of [login.accessToken, login.refreshToken]) {
        await spec
          .given()
          .when(introspect(acme.key.key, token))
          .then(expectResponse(200, { equals: { active: false } }));
      }
      await spec.given().when(refresh(acme.key.key, login.refreshToken)).then(expectProblem(401, 'invalid-token'));
    },
  );

  it('answers 200 to a second logout and records nothing', async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    await spec
      .given()
      .when(revoke(acme.key.key, login.refreshToken))
      .then(expectResponse(200), expectNewEvents([{ type: 'SessionRevoked' }]));
    await spec
      .given()
      .when(revoke(acme.key.key, login.refreshToken))
      .then(expectResponse(200, { equals: {} }));
  });

  it.each(['garbage', `rt_${randomToken(32)}`, `rt_${randomHex(8)}_${randomToken(32)}`])(
    'answers 200 to an unknown token (%s) and records nothing',
    (token) => {
      const acme = specTenant();
      return spec
        .given(customerRegistered(acme))
        .when(revoke(acme.key.key, token))
        .then(expectResponse(200, { equals: {} }));
    },
  );

  it("answers 200 to another tenant's tokens and leaves their session alone", async () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    const login = await loginThroughApp(spec, acme);
    for (const token of [login.refreshToken, login.accessToken]) {
      await spec
        .given(token === login.refreshToken ? customerRegistered(globex) : [])
        .when(revoke(globex.key.key, token))
        .then(expectResponse(200));
    }
    await spec
      .given()
      .when(introspect(acme.key.key, login.accessToken))
      .then(expectResponse(200, { body: { active: true } }));
  });

  it('refuses a key without otp:write', () => {
    const acme = specTenant();
    const analyst = specApiKey(acme.id, ['analytics:read']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, analyst))
      .when(revoke(analyst.key, 'anything'))
      .then(expectProblem(403, 'insufficient-scope'));
  });
});

describe('POST /v1/tokens/introspect', () => {
  const spec = useRouteSpec();

  it("answers an access token's claims while its session holds", async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    const claims = decodeJwt(login.accessToken);
    await spec
      .given()
      .when(introspect(acme.key.key, login.accessToken))
      .then(
        expectResponse(200, {
          equals: {
            active: true,
            token_type: 'access_token',
            sub: login.userId,
            aud: acme.id,
            client_id: acme.key.id,
            exp: claims.exp,
            iat: claims.iat,
            jti: claims.jti,
            sid: login.sessionId,
          },
        }),
      );
  });

  it('answers the current refresh token active and a retired one inactive', async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    const rotated = await spec
      .given()
      .when(refresh(acme.key.key, login.refreshToken))
      .thenOutcome(expectResponse(200), expectNewEvents([{ type: 'SessionRefreshed' }]));
    const current = (rotated.response.body as { refreshToken: string }).refreshToken;
    await spec
      .given()
      .when(introspect(acme.key.key, current))
      .then(
        expectResponse(200, {
          body: {
            active: true,
            token_type: 'refresh_token',
            sub: login.userId,
            aud: acme.id,
            sid: login.sessionId,
            exp: expect.any(Number),
          },
        }),
      );
    // Introspecting is not presenting: the retired token is inactive, and the session is not revoked for the question.
    await spec
      .given()
      .when(introspect(acme.key.key, login.refreshToken))
      .then(expectResponse(200, { equals: { active: false } }));
  });

  it("answers another tenant's tokens inactive", async () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    const login = await loginThroughApp(spec, acme);
    await spec
      .given(customerRegistered(globex))
      .when(introspect(globex.key.key, login.accessToken))
      .then(expectResponse(200, { equals: { active: false } }));
    await spec
      .given()
      .when(introspect(globex.key.key, login.refreshToken))
      .then(expectResponse(200, { equals: { active: false } }));
  });

  it.each(['none', 'hmacWithPublicKey', 'unknownKid', 'notInJwks', 'expired', 'wrongTyp'] as const)(
    'answers a forged or expired access token (%s) inactive',
    async (how) => {
      const acme = specTenant();
      const login = await loginThroughApp(spec, acme);
      const forge = await tokenForger(spec);
      const claims = { sub: login.userId, aud: acme.id, sid: login.sessionId };
      const token =
        how === 'expired'
          ? await forge.signed({ ...claims, expSecondsFromNow: -60 })
          : how === 'wrongTyp'
            ? await forge.signed(claims, 'JWT')
            : await forge[how](claims);
      await spec
        .given()
        .when(introspect(acme.key.key, token))
        .then(expectResponse(200, { equals: { active: false } }));
    },
  );

  it('refuses a key without otp:write', () => {
    const acme = specTenant();
    const analyst = specApiKey(acme.id, ['analytics:read']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, analyst))
      .when(introspect(analyst.key, 'anything'))
      .then(expectProblem(403, 'insufficient-scope'));
  });
});
