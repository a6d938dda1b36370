import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import type { ApiKeyPrincipal } from './api-key-authenticator';
import { endUserAddress } from './end-user-address';

const principal = (kind: 'secret' | 'publishable' = 'secret'): ApiKeyPrincipal => ({
  customerId: 'cus_00000000000000a1',
  keyId: 'key_0000000000a1',
  scopes: ['otp:write'],
  plan: 'pro',
  kind,
});
/** What the function reads of a request: the client address express settled on, and the headers. */
const request = (ip: string, headers: Record<string, string> = {}) =>
  ({ ip, header: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;

describe("the end user's address", () => {
  it('is the named X-End-User-IP from a secret key', () => {
    expect(endUserAddress(request('10.0.0.1', { 'x-end-user-ip': '198.51.100.7' }), principal('secret'))).toBe('198.51.100.7');
    expect(endUserAddress(request('10.0.0.1', { 'x-end-user-ip': ' 2001:db8::7 ' }), principal())).toBe('2001:db8::7');
  });

  it('is unknown from a secret key that names none: the client is the tenant backend', () => {
    expect(endUserAddress(request('10.0.0.1'), principal('secret'))).toBeUndefined();
  });

  it('is the client address from a publishable key, whatever X-End-User-IP says', () => {
    expect(endUserAddress(request('::ffff:203.0.113.9', { 'x-end-user-ip': '198.51.100.7' }), principal('publishable'))).toBe(
      '203.0.113.9',
    );
  });

  it('refuses a named address that is not one', () => {
    expect(() => endUserAddress(request('10.0.0.1', { 'x-end-user-ip': '198.51.100.7, 10.0.0.2' }), principal())).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});
