import { describe, expect, it } from 'vitest';
import { allowedByList } from './ip-allowlist';

describe('ip allowlist', () => {
  it('allows every address when empty', () => {
    expect(allowedByList([], '203.0.113.9')).toBe(true);
  });

  it.each([
    ['10.0.0.0/8', '10.20.30.40', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.0.2.7', '192.0.2.7', true],
    ['192.0.2.7', '192.0.2.8', false],
    ['2001:db8::/32', '2001:db8:1::5', true],
    ['2001:db8::/32', '2001:db9::5', false],
    ['::1', '::1', true],
    ['127.0.0.0/8', '::ffff:127.0.0.1', true],
    ['10.0.0.0/8', '::ffff:127.0.0.1', false],
  ])('with %s, %s is allowed: %s', (cidr, address, allowed) => {
    expect(allowedByList([cidr], address)).toBe(allowed);
  });

  it('keeps an IPv4 list from matching IPv6 addresses', () => {
    expect(allowedByList(['0.0.0.0/0'], '2001:db8::1')).toBe(false);
  });

  it('refuses an unknown address when the list is not empty', () => {
    expect(allowedByList(['0.0.0.0/0'], undefined)).toBe(false);
  });
});
