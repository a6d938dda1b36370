import { describe, it } from 'vitest';
import type { HttpCall } from '../support/http';
import { expectProblem, expectResponse, useRouteSpec } from '../support/route-spec';

const EVERY_ANSWER = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};
const HSTS = 'max-age=31536000; includeSubDomains';
const behindTls = (http: HttpCall) => http('GET', '/health/live', { headers: { 'x-forwarded-proto': 'https' } });

/** The headers of platform/src/http/security-headers.ts, on answers and refusals alike. */
describe('security headers', () => {
  const spec = useRouteSpec();

  it('are on every answer, without HSTS over plain HTTP', () =>
    spec
      .given()
      .when((http) => http('GET', '/health/live'))
      .then(expectResponse(200, { headers: { ...EVERY_ANSWER, 'strict-transport-security': null } })));

  it('are on a refusal too', () =>
    spec
      .given()
      .when((http) => http('GET', '/v1/customer/api-keys'))
      .then(expectProblem(401, 'unauthenticated', { headers: EVERY_ANSWER })));

  it('believe no X-Forwarded-Proto when no proxy is trusted', () =>
    spec
      .given()
      .when(behindTls)
      .then(expectResponse(200, { headers: { 'strict-transport-security': null } })));

  it('leave /docs its own policy, which lets Swagger UI run its script and styles', () =>
    spec
      .given()
      .when((http) => http('GET', '/docs'))
      .then(
        expectResponse(200, {
          headers: { 'content-security-policy': /script-src 'self'.*frame-ancestors 'none'/, 'referrer-policy': 'no-referrer' },
        }),
      ));
});

describe('security headers behind a TLS proxy', () => {
  const spec = useRouteSpec({ trustProxy: 'loopback' });

  it('add HSTS when the trusted proxy says the request came over TLS', () =>
    spec
      .given()
      .when(behindTls)
      .then(expectResponse(200, { headers: { ...EVERY_ANSWER, 'strict-transport-security': HSTS } })));

  it('leave HSTS off for a request the proxy got over plain HTTP', () =>
    spec
      .given()
      .when((http) => http('GET', '/health/live', { headers: { 'x-forwarded-proto': 'http' } }))
      .then(expectResponse(200, { headers: { 'strict-transport-security': null } })));
});
