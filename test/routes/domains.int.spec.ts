import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from '../support/dns-server';
import { customerRegistered, domainAdded, domainVerified, specApiKey, apiKeyIssued, specTenant } from '../support/given-events';
import { expectNewEvents, expectProblem, expectResponse, useRouteSpec } from '../support/route-spec';
import type { RouteAppOptions } from '../support/route-app';

const VALUE = /^otp-auth-verification=[A-Za-z0-9_-]{43}$/;
const recordValue = (n: number) => `otp-auth-verification=${String(n).padStart(43, 'a')}`;

/**
 * Sending domains (command-service/src/domains, the list in query-service): the TXT record to
 * publish, and its check through node's resolver against a real DNS server on a local UDP port.
 */
describe('sending domains', () => {
  let dns: DnsServer;
  // Filled before the app starts: the hooks run in the order they are registered.
  const options: RouteAppOptions = {};
  beforeAll(async () => {
    dns = await startDnsServer();
    options.dnsResolver = dns.address;
  });
  afterAll(async () => {
    await dns.close();
  });
  const spec = useRouteSpec(options);

  it('answers the TXT record to publish for a new domain, in its lower-case form', async () => {
    const acme = specTenant();
    const { response } = await spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/customer/domains', { token: acme.key.key, body: { domain: 'Mail.Acme.test' } }))
      .thenOutcome(
        expectResponse(201, {
          body: {
            domain: 'mail.acme.test',
            status: 'pending',
            record: { type: 'TXT', name: '_otp-auth.mail.acme.test', value: expect.stringMatching(VALUE) },
          },
          headers: { location: '/v1/customer/domains/mail.acme.test' },
        }),
        expectNewEvents([{ type: 'DomainAdded', data: { domain: 'mail.acme.test', recordName: '_otp-auth.mail.acme.test' } }]),
      );
    const again = await spec.http('POST', '/v1/customer/domains', { token: acme.key.key, body: { domain: 'mail.acme.test' } });
    expect(again.status).toBe(200);
    expect(again.body.record).toEqual(response.body.record);
  });

  it('draws another token for every claim, so none can be guessed from another', async () => {
    const [a, b] = [specTenant(), specTenant()];
    const claim = (t: typeof a) => spec.http('POST', '/v1/customer/domains', { token: t.key.key, body: { domain: 'shared.test' } });
    await spec
      .given(customerRegistered(a), customerRegistered(b))
      .when(() => claim(a))
      .then(expectResponse(201), expectNewEvents([{ type: 'DomainAdded' }]));
    const second = await claim(b);
    expect(second.status).toBe(201);
    expect((await claim(a)).body.record.value).not.toBe(second.body.record.value);
  });

  it.each(['not a domain', 'localhost', 'acme..test', '-acme.test', 'acme.test/x', '127.0.0.1', 'a'.repeat(64) + '.test'])(
    'refuses %j as a domain',
    (domain) => {
      const acme = specTenant();
      return spec
        .given(customerRegistered(acme))
        .when((http) => http('POST', '/v1/customer/domains', { token: acme.key.key, body: { domain } }))
        .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'domain' }] } }));
    },
  );

  it('refuses a key without customer:admin', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app))
      .when((http) => http('POST', '/v1/customer/domains', { token: app.key, body: { domain: 'acme.test' } }))
      .then(expectProblem(403, 'insufficient-scope'));
  });

  it('verifies a domain once DNS holds its record, among other TXT records', async () => {
    const acme = specTenant();
    dns.publish('_otp-auth.login.acme.test', 'v=spf1 -all', recordValue(1));
    const { response } = await spec
      .given(customerRegistered(acme), domainAdded(acme, 'login.acme.test', recordValue(1)))
      .when((http) => http('POST', '/v1/customer/domains/login.acme.test/verify', { token: acme.key.key }))
      .thenOutcome(
        expectResponse(200, { body: { domain: 'login.acme.test', status: 'verified', verifiedAt: expect.any(String) } }),
        expectNewEvents([{ type: 'DomainVerified', data: { domain: 'login.acme.test' } }]),
      );
    const list = await spec.http('GET', '/v1/customer/domains', {
      token: acme.key.key,
      headers: { 'x-min-position': response.headers.get('x-event-position')! },
    });
    expect(list.body.items).toEqual([expect.objectContaining({ domain: 'login.acme.test', status: 'verified' })]);
  });

  it('answers 422 naming the record it expected when DNS does not hold it, and records nothing', () => {
    const acme = specTenant();
    dns.publish('_otp-auth.late.acme.test', 'otp-auth-verification=someone-else');
    return spec
      .given(customerRegistered(acme), domainAdded(acme, 'late.acme.test', recordValue(2)))
      .when((http) => http('POST', '/v1/customer/domains/late.acme.test/verify', { token: acme.key.key }))
      .then(
        expectProblem(422, 'domain-not-verified', {
          body: { code: 'domain_not_verified', detail: expect.stringContaining(`_otp-auth.late.acme.test holding "${recordValue(2)}"`) },
        }),
      );
  });

  it('answers 422 for a name DNS does not know at all', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), domainAdded(acme, 'nowhere.acme.test', recordValue(3)))
      .when((http) => http('POST', '/v1/customer/domains/nowhere.acme.test/verify', { token: acme.key.key }))
      .then(expectProblem(422, 'domain-not-verified'));
  });

  it('answers a domain already verified as it is and records nothing, even once its record is gone', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), domainAdded(acme, 'done.acme.test', recordValue(4)), domainVerified(acme, 'done.acme.test'))
      .when((http) => http('POST', '/v1/customer/domains/done.acme.test/verify', { token: acme.key.key }))
      .then(expectResponse(200, { body: { domain: 'done.acme.test', status: 'verified' } }));
  });

  it('refuses to verify a domain never added', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/customer/domains/other.acme.test/verify', { token: acme.key.key }))
      .then(expectProblem(404, 'not-found'));
  });

  it('lists the domains in the order they were added, with their records', () => {
    const acme = specTenant();
    const at = (iso: string) => new Date(iso);
    return spec
      .given(
        customerRegistered(acme, at('2026-03-01T10:00:00.000Z')),
        domainAdded(acme, 'b.acme.test', recordValue(5), at('2026-03-01T11:00:00.000Z')),
        domainAdded(acme, 'a.acme.test', recordValue(6), at('2026-03-01T12:00:00.000Z')),
        domainVerified(acme, 'b.acme.test', at('2026-03-01T13:00:00.000Z')),
      )
      .when((http) => http('GET', '/v1/customer/domains', { token: acme.key.key }))
      .then(
        expectResponse(200, {
          equals: {
            items: [
              {
                domain: 'b.acme.test',
                status: 'verified',
                record: { type: 'TXT', name: '_otp-auth.b.acme.test', value: recordValue(5) },
                addedAt: '2026-03-01T11:00:00.000Z',
                verifiedAt: '2026-03-01T13:00:00.000Z',
              },
              {
                domain: 'a.acme.test',
                status: 'pending',
                record: { type: 'TXT', name: '_otp-auth.a.acme.test', value: recordValue(6) },
                addedAt: '2026-03-01T12:00:00.000Z',
              },
            ],
          },
        }),
      );
  });

  it('shows the domains on the customer too', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), domainAdded(acme, 'acme.test', recordValue(7)))
      .when((http) => http('GET', '/v1/customer', { token: acme.key.key }))
      .then(expectResponse(200, { body: { domains: [{ domain: 'acme.test', status: 'pending' }] } }));
  });
});

describe('sending domains when DNS does not answer', () => {
  // No dnsResolver: the route app asks a port where no DNS server listens.
  const spec = useRouteSpec();

  it('answers 503 and records nothing: a resolver that is down is no verdict on the domain', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), domainAdded(acme, 'acme.test', recordValue(8)))
      .when((http) => http('POST', '/v1/customer/domains/acme.test/verify', { token: acme.key.key }))
      .then(expectProblem(503, 'service-unavailable'));
  });
});
