import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicHalf } from '@otp/command-service';
import { sealPrivateKey } from '../../command-service/src/tokens/private-key-sealing';
import { signingKeyDecider, type SigningKeysState } from '../../command-service/src/signing-keys/signing-key-decider';
import { signingKeysRotated, specTenant } from '../support/given-events';
import { LONGEST_ACCESS_TOKEN_TTL_SECONDS } from '@otp/command-service';
import { SPEC_DEPLOYMENT, SPEC_ISSUER, SPEC_SIGNING_KEY_ENCRYPTION_KEY } from '../support/route-app';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec, type RequestOptions } from '../support/route-spec';
import { loginThroughApp } from '../support/spec-sessions';
import { SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';

const operator: RequestOptions = { token: SPEC_OPERATOR_TOKEN };
const STREAM = `signingkeys-${SPEC_DEPLOYMENT}`;

/**
 * The operator rotates the deployment's signing key (command-service/src/signing-keys); tenant
 * backends keep verifying every token against the JWKS URL with a JWT library, before and after.
 */
describe('POST /v1/admin/signing-keys/rotate', () => {
  const spec = useRouteSpec();
  const jwksUrl = () => new URL('/.well-known/jwks.json', spec.app.baseUrl);
  const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
  const servedKids = async () =>
    ((await spec.http('GET', '/.well-known/jwks.json')).body as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  const keysNow = async (): Promise<SigningKeysState> =>
    (await spec.app.eventStore.readStream(STREAM))
      .map((e) => e as unknown as Parameters<typeof signingKeyDecider.evolve>[1])
      .reduce(signingKeyDecider.evolve, signingKeyDecider.initialState());
  // As a tenant backend verifies: the JWKS fetched over HTTP, typ, iss and aud checked.
  const verifyAsTenant = (jwks: ReturnType<typeof createRemoteJWKSet>, token: string, tenantId: string) =>
    jwtVerify(token, jwks, { typ: 'at+jwt', issuer: SPEC_ISSUER, audience: tenantId, algorithms: ['EdDSA'] });

  it('refuses a caller without the operator token, rotating nothing', () =>
    spec
      .given()
      .when((http) => http('POST', '/v1/admin/signing-keys/rotate'))
      .then(expectProblem(401, 'unauthenticated')));

  it('refuses a body with any field, rotating nothing: the server makes the key, none is sent', () =>
    spec
      .given()
      .when((http) => http('POST', '/v1/admin/signing-keys/rotate', { ...operator, body: { privateJwk: { d: 'x' } } }))
      .then(expectProblem(400, 'validation')));

  it('signs with the published next key from the next token on; tokens of the retired key keep verifying with createRemoteJWKSet', async () => {
    const tenant = specTenant();
    const before = await loginThroughApp(spec, tenant);
    const { currentKid: current, nextKid: next } = await keysNow();
    expect(kidOf(before.accessToken)).toBe(current);
    // One client, fetched before the rotation, as a backend's cache holds it.
    const cached = createRemoteJWKSet(jwksUrl());
    await expect(verifyAsTenant(cached, before.accessToken, tenant.id)).resolves.toMatchObject({ payload: { aud: tenant.id } });

    const { response, newEvents } = await spec
      .given()
      .when((http) => http('POST', '/v1/admin/signing-keys/rotate', operator))
      .thenOutcome(
        expectResponse(200, { body: { currentKid: next, nextKid: expect.any(String) } }),
        expectNewEvents([
          { type: 'SigningKeyRetired', streamName: STREAM, data: { kid: current, successorKid: next }, metadata: { actor: 'operator' } },
          { type: 'SigningKeyActivated', streamName: STREAM, data: { kid: next } },
          { type: 'SigningKeyAdded', streamName: STREAM },
        ]),
      );
    const added = newEvents[2]!.data as { kid: string; encryptedPrivateKey: string; publicJwk: Record<string, unknown> };
    expect(response.body).toEqual({ currentKid: next, nextKid: added.kid });
    expect(added.publicJwk).not.toHaveProperty('d');
    expect(added.encryptedPrivateKey).toMatch(/^v1\./);

    const after = await loginThroughApp(spec, specTenant());
    expect(kidOf(after.accessToken)).toBe(next);
    // The cached copy already held the new key: it was published a rotation ahead.
    await expect(verifyAsTenant(cached, before.accessToken, tenant.id)).resolves.toBeDefined();
    const fresh = createRemoteJWKSet(jwksUrl());
    await expect(verifyAsTenant(fresh, before.accessToken, tenant.id)).resolves.toBeDefined();
    expect(await servedKids()).toEqual([current, next, added.kid]);
  });

  it('drops a retired key from the JWKS once its last token has expired, and tokens it signed stop verifying', async () => {
    const tenant = specTenant();
    const old = await loginThroughApp(spec, tenant);
    const { currentKid, nextKid } = await keysNow();
    const fresh = await generateSigningKey();
    const sealed = {
      kid: fresh.kid,
      alg: 'EdDSA' as const,
      publicJwk: publicHalf(fresh.privateJwk),
      encryptedPrivateKey: sealPrivateKey(SPEC_SIGNING_KEY_ENCRYPTION_KEY, fresh.kid, fresh.privateJwk),
    };
    // Retired longer ago than any tenant's token may live (plus the minute of slack): the clock moves through the event's time.
    const longAgo = new Date(Date.now() - (LONGEST_ACCESS_TOKEN_TTL_SECONDS + 61) * 1000);
    await spec
      .given(signingKeysRotated(STREAM, { current: currentKid!, next: nextKid! }, sealed, longAgo))
      .when((http) => http('GET', '/.well-known/jwks.json'))
      .then(
        expectResponse(200, { headers: { 'cache-control': 'public, max-age=300' } }),
        expectThat(({ response }) => {
          const kids = (response.body as { keys: { kid: string }[] }).keys.map((k) => k.kid);
          // The key retired in the case before is still within its tokens' lifetime: it stays.
          expect(kids).not.toContain(currentKid);
          expect(kids).toEqual(expect.arrayContaining([nextKid, fresh.kid]));
        }),
      );
    await expect(verifyAsTenant(createRemoteJWKSet(jwksUrl()), old.accessToken, tenant.id)).rejects.toThrow(/no applicable key/i);

    // The next rotation activates the key given sealed under the spec's encryption key: it opens and signs.
    await spec
      .given()
      .when((http) => http('POST', '/v1/admin/signing-keys/rotate', operator))
      .then(
        expectResponse(200, { body: { currentKid: fresh.kid } }),
        expectNewEvents([{ type: 'SigningKeyRetired' }, { type: 'SigningKeyActivated' }, { type: 'SigningKeyAdded' }]),
      );
    const later = specTenant();
    const signed = (await loginThroughApp(spec, later)).accessToken;
    expect(kidOf(signed)).toBe(fresh.kid);
    await expect(verifyAsTenant(createRemoteJWKSet(jwksUrl()), signed, later.id)).resolves.toBeDefined();
  });
});
