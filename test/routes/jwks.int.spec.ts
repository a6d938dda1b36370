import { describe, expect, it } from 'vitest';
import { expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';

/** The public keys of command-service/src/tokens, which tenant backends verify access tokens with, offline. */
describe('GET /.well-known/jwks.json', () => {
  const spec = useRouteSpec();

  it('serves the public signing keys (the current one and the next) to anyone, cacheable for five minutes, never a private part', () =>
    spec
      .given()
      .when((http) => http('GET', '/.well-known/jwks.json'))
      .then(
        expectResponse(200, {
          body: {
            keys: Array(2).fill({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String), x: expect.any(String) }),
          },
          headers: { 'cache-control': 'public, max-age=300', 'content-type': /^application\/json/ },
        }),
        expectThat(({ response }) => {
          expect(response.body.keys).toHaveLength(2);
          for (const key of response.body.keys) expect(key.d).toBeUndefined();
        }),
      ));

  it('is read only', () =>
    spec
      .given()
      .when((http) => http('POST', '/.well-known/jwks.json', { body: { keys: [] } }))
      .then(expectProblem(404, 'not-found')));
});
