import { describe, expect, it } from 'vitest';
import {
  apiKeyHash,
  clientAddressKey,
  emailKey,
  operatorTokenHash,
  otpCodeHash,
  refreshTokenHash,
  serviceKeyHash,
  signupCustomerId,
  signupEmailKey,
} from './secret-hashes';

// Stored events and stream names hold these values: a changed purpose or input
// layout would orphan every key, code, email stream and session stored so far.
// The expected values were computed by the code before the hashes moved here.
describe('secret hashes keep their stored values', () => {
  const hashKey = Buffer.alloc(32, 7);

  it('hashes an API key', () =>
    expect(apiKeyHash(hashKey, `ok_00000000000000a1_0000000000b1_${'A'.repeat(43)}`)).toBe('FLsAWXKcwwcplq58d2XFioLmWMYuB1RSCRNJhyCeAj4'));

  it('hashes an OTP code bound to its challenge', () =>
    expect(otpCodeHash(hashKey, 'chl_00000000000000c1', '123456789')).toBe('Mw3nVDmr1kof7jWq0VrXMqjimi-FPwjLUgmIFyZZuRA'));

  it('keys an email per tenant', () =>
    expect(emailKey(hashKey, 'cus_00000000000000a1', 'ada@example.com')).toBe('fKeHBe0bUAIH4Cgrn-qpolKDrLZYEiRMEBAasEGXt3E'));

  it('hashes a refresh token', () =>
    expect(refreshTokenHash(hashKey, `rt_${'B'.repeat(43)}`)).toBe('vjgpjcBYRC0aIW9KMK5Ms8bQ4e7dzFaMzioZiugRKfE'));

  it('hashes the operator token', () =>
    expect(operatorTokenHash(hashKey, 'operator-secret')).toBe('MKLyPHq8ufg6rJEACEIxetbCRfPrU3vfGXupQD-NYu0'));

  it('keys an email for its signup stream, across tenants', () =>
    expect(signupEmailKey(hashKey, 'ada@example.com')).toBe('Vs_OzI5PdPx-Gu3GuPnsob-rVhFtgzIYPIO7DcuYrao'));

  // The id names the customer's stream and sits in every key's prefix: it can never change for an email.
  it("derives a signup's customer id from its email", () =>
    expect(signupCustomerId(hashKey, 'ada@example.com')).toBe('cus_d974cffe1f3dc823'));

  it('hashes the service key', () => expect(serviceKeyHash(hashKey, 'service-secret')).toBe('4A_TEyTYMGWUsFBXkZN56tqa9wwgr5L6D28FM_wCOTY'));

  it('gives a signup stream and a tenant email stream different keys for one email', () =>
    expect(signupEmailKey(hashKey, 'ada@example.com')).not.toBe(
      emailKey(hashKey, signupCustomerId(hashKey, 'ada@example.com'), 'ada@example.com'),
    ));

  it("keys an end user's address per tenant", () =>
    expect(clientAddressKey(hashKey, 'cus_00000000000000a1', '198.51.100.7')).toBe('qFvCHEExtVvgQlLqeMOtoUfHrZqkZRtt'));

  it('never gives one purpose the hash of another', () => {
    const value = `rt_${'B'.repeat(43)}`;
    expect(new Set([apiKeyHash(hashKey, value), refreshTokenHash(hashKey, value), operatorTokenHash(hashKey, value)]).size).toBe(3);
  });
});
