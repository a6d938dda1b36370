import { describe, expect, it } from 'vitest';
import { fromAddressUsesVerifiedDomain, type CustomerEvent } from '@otp/contracts';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { domainDecider, MAX_DOMAINS, type AddDomain, type VerifyDomain } from './domain-decider';

const given = contractCheckedSpecFor(domainDecider);
const customerId = 'cus_00000000000000a1';
const now = new Date('2025-03-01T12:00:00.000Z');
const recordValue = 'otp-auth-verification=3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId, name: 'Acme', email: 'ops@acme.test', plan: 'pro', registeredAt: '2025-03-01T11:00:00.000Z' },
};
const suspended: CustomerEvent = {
  type: 'CustomerSuspended',
  data: { customerId, reason: 'unpaid', suspendedAt: '2025-03-01T11:10:00.000Z' },
};
const add = (domain = 'mail.acme.test'): AddDomain => ({
  type: 'AddDomain',
  customerId,
  domain,
  recordName: `_otp-auth.${domain}`,
  recordValue,
  now,
});
const added = (domain = 'mail.acme.test'): CustomerEvent => ({
  type: 'DomainAdded',
  data: { customerId, domain, recordName: `_otp-auth.${domain}`, recordValue, addedAt: '2025-03-01T11:30:00.000Z' },
});
const verified = (domain = 'mail.acme.test'): CustomerEvent => ({
  type: 'DomainVerified',
  data: { customerId, domain, verifiedAt: '2025-03-01T11:40:00.000Z' },
});
const verify = (found: string[], domain = 'mail.acme.test'): VerifyDomain => ({ type: 'VerifyDomain', customerId, domain, found, now });
const fold = (events: CustomerEvent[]) => events.reduce(domainDecider.evolve, domainDecider.initialState());

describe('AddDomain', () => {
  it('claims the domain with the record that will prove it', () =>
    given([registered])
      .when(add())
      .then([
        {
          type: 'DomainAdded',
          data: { customerId, domain: 'mail.acme.test', recordName: '_otp-auth.mail.acme.test', recordValue, addedAt: now.toISOString() },
        },
      ]));

  it('records nothing for a domain already claimed: the first record stays the one to publish', () =>
    given([registered, added()])
      .when({ ...add(), recordValue: 'otp-auth-verification=another' })
      .thenNothing());

  it('refuses a customer that is not registered', () => given([]).when(add()).thenRefuses('customer_not_found'));

  it('refuses a suspended customer', () => given([registered, suspended]).when(add()).thenRefuses('customer_inactive'));

  it(`refuses more than ${MAX_DOMAINS} domains`, () =>
    given([registered, ...Array.from({ length: MAX_DOMAINS }, (_, i) => added(`d${i}.acme.test`))])
      .when(add('one-more.acme.test'))
      .thenRefuses('too_many_domains', { limit: MAX_DOMAINS }));
});

describe('VerifyDomain', () => {
  it('verifies a domain whose TXT record holds the value, among other records', () =>
    given([registered, added()])
      .when(verify(['v=spf1 -all', recordValue]))
      .then([{ type: 'DomainVerified', data: { customerId, domain: 'mail.acme.test', verifiedAt: now.toISOString() } }]));

  it('refuses when DNS holds no such record, naming what it expected', () => {
    let message = '';
    try {
      domainDecider.decide(verify([]), fold([registered, added()]));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('_otp-auth.mail.acme.test');
    expect(message).toContain(recordValue);
    return given([registered, added()]).when(verify([])).thenRefuses('domain_not_verified', { domain: 'mail.acme.test', found: 0 });
  });

  it('refuses a record holding another value (another tenant claimed the same domain)', () =>
    given([registered, added()])
      .when(verify(['otp-auth-verification=someone-else']))
      .thenRefuses('domain_not_verified', { found: 1 }));

  it('records nothing for a domain already verified', () => given([registered, added(), verified()]).when(verify([])).thenNothing());

  it('refuses a domain never added', () =>
    given([registered, added()])
      .when(verify([recordValue], 'other.acme.test'))
      .thenRefuses('domain_not_found', { domain: 'other.acme.test' }));

  it('refuses a suspended customer', () =>
    given([registered, added(), suspended])
      .when(verify([recordValue]))
      .thenRefuses('customer_inactive'));
});

describe('which From addresses the verified domains allow', () => {
  const state = fold([registered, added('mail.acme.test'), verified('mail.acme.test'), added('pending.acme.test')]);
  const domains = () => state.domains.values();

  it.each(['codes@mail.acme.test', 'Acme <codes@mail.acme.test>', 'Acme Login <Codes@MAIL.Acme.test>'])('allows %s', (from) =>
    expect(fromAddressUsesVerifiedDomain(from, domains())).toBe(true),
  );

  it.each([
    ['a domain still pending', 'codes@pending.acme.test'],
    ['a parent of the verified domain', 'codes@acme.test'],
    ['a subdomain of it', 'codes@eu.mail.acme.test'],
    ['a domain never added', 'codes@evil.test'],
    ['no address at all', 'Acme'],
    ['an address without a local part', '@mail.acme.test'],
  ])('refuses %s', (_case, from) => expect(fromAddressUsesVerifiedDomain(from, domains())).toBe(false));
});
