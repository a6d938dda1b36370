import { describe, expect, it } from 'vitest';
import { clientNetwork } from './client-network';

describe('the client network a limit counts by', () => {
  it.each([
    ['an IPv4 address', '192.0.2.7', '192.0.2.7'],
    ['an IPv4 address seen on a dual-stack socket', '::ffff:192.0.2.7', '192.0.2.7'],
    ['an IPv6 address', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['a compressed IPv6 address', '2001:db8::1', '2001:db8:0:0::/64'],
    ['leading zeros and capitals', '2001:0DB8:0001:0002::abcd', '2001:db8:1:2::/64'],
    ['a compression inside the prefix', '2001:db8::3:4:5:6:7', '2001:db8:0:3::/64'],
    ['an IPv4 tail', '64:ff9b::192.0.2.7', '64:ff9b:0:0::/64'],
    ['a zone', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['the loopback', '::1', '0:0:0:0::/64'],
    ['what is not an address', 'unknown', 'unknown'],
  ])('counts %s as %s', (_what, address, network) => expect(clientNetwork(address)).toBe(network));

  it('counts two addresses of one /64 as one client, and of two /64s as two', () => {
    expect(clientNetwork('2001:db8:1:2::10')).toBe(clientNetwork('2001:db8:1:2:ffff::99'));
    expect(clientNetwork('2001:db8:1:2::10')).not.toBe(clientNetwork('2001:db8:1:3::10'));
  });
});
