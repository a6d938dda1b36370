import { describe, expect, it } from 'vitest';
import { streams } from '@otp/contracts';
import { customerRegistered, specTenant } from '../support/given-events';
import type { HttpCall } from '../support/http';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { loginThroughApp, tokenForger, type SpecLogin, type TokenForger } from '../support/spec-sessions';

/** The end user's own profile (command-service/src/users), with the end user's access token. */
const me = (token?: string) => (http: HttpCall) => http('GET', '/v1/users/me', token ? { token } : {});
const patchMe = (token: string, body: unknown) => (http: HttpCall) => http('PATCH', '/v1/users/me', { token, body });

describe('GET and PATCH /v1/users/me', () => {
  const spec = useRouteSpec();

  it('answers the user of the token: id, email, created, last login, name and metadata', async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme, 'Ada@Example.com');
    await spec
      .given()
      .when(me(login.accessToken))
      .then(
        expectResponse(200, {
          equals: {
            id: login.userId,
            email: 'ada@example.com',
            createdAt: expect.any(String),
            lastLoginAt: expect.any(String),
            name: null,
            metadata: {},
          },
        }),
      );
  });

  it("records the user's change on the user's stream, by the user, and answers the profile", async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    await spec
      .given()
      .when(patchMe(login.accessToken, { name: 'Ada Lovelace', metadata: { plan: 'gold', seats: 3, tags: ['a'] } }))
      .then(
        expectResponse(200, { body: { id: login.userId, name: 'Ada Lovelace', metadata: { plan: 'gold', seats: 3, tags: ['a'] } } }),
        expectNewEvents([
          {
            type: 'UserProfileUpdated',
            streamName: streams.user(acme.id, login.userId),
            data: { userId: login.userId, name: 'Ada Lovelace' },
            metadata: { actor: `user:${login.userId}`, tenantId: acme.id },
          },
        ]),
      );
    await spec
      .given()
      .when(me(login.accessToken))
      .then(expectResponse(200, { body: { name: 'Ada Lovelace', metadata: { seats: 3 } } }));
    // The same change again changes nothing and records nothing.
    await spec
      .given()
      .when(patchMe(login.accessToken, { name: 'Ada Lovelace' }))
      .then(expectResponse(200, { body: { name: 'Ada Lovelace' } }));
  });

  it.each([
    ['an empty change', {}],
    ['an unknown field', { name: 'Ada', email: 'eve@example.com' }],
    ['metadata that is not an object', { metadata: ['a'] }],
    ['metadata over 4 KiB', { metadata: { blob: 'x'.repeat(4100) } }],
    ['metadata with more than 50 keys', { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }],
    ['an empty name', { name: '  ' }],
  ])('refuses %s, recording nothing', async (_name, body) => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    await spec.given().when(patchMe(login.accessToken, body)).then(expectProblem(400, 'validation'));
  });

  type BadToken = (f: TokenForger, login: SpecLogin, tenantId: string, otherTenantId: string) => Promise<string>;
  const claimsOf = (login: SpecLogin, aud: string) => ({ sub: login.userId, aud, sid: login.sessionId });
  it.each<[string, BadToken]>([
    ['alg none', (f, l, t) => f.none(claimsOf(l, t))],
    ['HS256 keyed with the public key', (f, l, t) => f.hmacWithPublicKey(claimsOf(l, t))],
    ['an unknown kid', (f, l, t) => f.unknownKid(claimsOf(l, t))],
    ["another tenant's aud", (f, l, _t, other) => f.signed(claimsOf(l, other))],
    ['an expired token', (f, l, t) => f.signed({ ...claimsOf(l, t), expSecondsFromNow: -1 })],
    ['a refresh token', (_f, l) => Promise.resolve(l.refreshToken)],
    ['a key not in the JWKS, under the served kid', (f, l, t) => f.notInJwks(claimsOf(l, t))],
    ['a JWT of another type', (f, l, t) => f.signed(claimsOf(l, t), 'JWT')],
  ])('refuses %s with 401', async (_name, bad) => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    const login = await loginThroughApp(spec, acme);
    const token = await bad(await tokenForger(spec), login, acme.id, globex.id);
    for (const request of [me(token), patchMe(token, { name: 'Mallory' })]) {
      await spec.given().when(request).then(expectProblem(401, 'invalid-token'));
    }
  });

  it('refuses a good token whose session was revoked', async () => {
    const acme = specTenant();
    const login = await loginThroughApp(spec, acme);
    await spec.given().when(me(login.accessToken)).then(expectResponse(200));
    await spec
      .given()
      .when((http) => http('POST', '/v1/tokens/revoke', { token: acme.key.key, body: { token: login.refreshToken } }))
      .then(expectResponse(200), expectNewEvents([{ type: 'SessionRevoked' }]));
    await spec.given().when(me(login.accessToken)).then(expectProblem(401, 'invalid-token'));
  });

  it('refuses no credential and an API key', async () => {
    const acme = specTenant();
    await spec.given(customerRegistered(acme)).when(me()).then(expectProblem(401, 'unauthenticated'));
    await spec
      .given()
      .when(me(acme.key.key))
      .then(
        expectProblem(401, 'invalid-token'),
        expectThat(({ response }) => expect(response.text).not.toContain(acme.key.key)),
      );
  });
});
