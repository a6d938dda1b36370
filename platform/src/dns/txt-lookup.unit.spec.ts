import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DnsResolverEnv } from './txt-lookup';

const Env = z.object(DnsResolverEnv);

describe('DNS_RESOLVER', () => {
  it('is optional: the system resolvers then answer', () => expect(Env.parse({}).DNS_RESOLVER).toBeUndefined());

  it('takes IP addresses with optional ports, comma-separated', () =>
    expect(Env.parse({ DNS_RESOLVER: '10.0.0.2, 127.0.0.1:5353,[::1]:53,::1' }).DNS_RESOLVER).toEqual([
      '10.0.0.2',
      '127.0.0.1:5353',
      '[::1]:53',
      '::1',
    ]));

  it.each(['dns.example.com', '127.0.0.1:99999', '10.0.0.2,', '', '[10.0.0.2]:53'])('refuses %j', (value) =>
    expect(Env.safeParse({ DNS_RESOLVER: value }).success).toBe(false),
  );
});
