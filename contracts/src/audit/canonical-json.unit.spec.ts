import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import { GENESIS_HASH, chainHash } from './hash-chain';

// Pinned from the first implementation: stored chains, and auditors' own verifiers,
// depend on this exact form never changing.
const event = {
  streamName: 'otp-cus_1.k',
  revision: 3n,
  id: '0192f0a0-0000-7000-8000-000000000000',
  type: 'OtpRequested',
  data: { email: 'ädä@example.com', n: 1.5, list: [1, 'two', null, { b: 2, a: 1 }], nested: { z: true, y: false, skip: undefined } },
  metadata: { tenantId: 'cus_1', actor: 'apiKey:key_1', Zed: 1, _u: 2, é: 3 },
};

describe('canonicalJson', () => {
  it('sorts keys by code unit at every depth, drops undefined members, writes bigint as a string', () => {
    expect(canonicalJson(event)).toBe(
      '{"data":{"email":"ädä@example.com","list":[1,"two",null,{"a":1,"b":2}],"n":1.5,"nested":{"y":false,"z":true}},' +
        '"id":"0192f0a0-0000-7000-8000-000000000000","metadata":{"Zed":1,"_u":2,"actor":"apiKey:key_1","tenantId":"cus_1","é":3},' +
        '"revision":"3","streamName":"otp-cus_1.k","type":"OtpRequested"}',
    );
  });

  it('writes scalars, empty containers and undefined the way JSON does', () => {
    expect([null, undefined, 0, -0, 1e21, 'a"b', true, [], {}, [undefined]].map(canonicalJson)).toEqual([
      'null',
      'null',
      '0',
      '0',
      '1e+21',
      '"a\\"b"',
      'true',
      '[]',
      '{}',
      '[null]',
    ]);
  });

  it('gives the chain hash pinned for this event', () => {
    expect(chainHash(GENESIS_HASH, event)).toBe('ce9e0a07829f2fdf45ac6554ddf133cbd7bb6d1ec269a1dfd5c89d0f76fea719');
  });
});
