import { describe, expect, it } from 'vitest';
import { apiKeyHash, clientAddressKey, emailKey, operatorTokenHash, otpCodeHash, refreshTokenHash } from './secret-hashes';

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

  it("keys an end user's address per tenant", () =>
    expect(clientAddressKey(hashKey, 'cus_00000000000000a1', '198.51.100.7')).toBe('qFvCHEExtVvgQlLqeMOtoUfHrZqkZRtt'));

  it('never gives one purpose the hash of another', () => {
    const value = `rt_${'B'.repeat(43)}`;
    expect(new Set([apiKeyHash(hashKey, value), refreshTokenHash(hashKey, value), operatorTokenHash(hashKey, value)]).size).toBe(3);
  });
});
