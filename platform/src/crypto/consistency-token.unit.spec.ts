import { describe, expect, it } from 'vitest';
import { createConsistencyTokens } from './consistency-token';

const tokens = createConsistencyTokens(Buffer.alloc(32, 3));

describe('consistency tokens', () => {
  it('give the position back to the audience they were issued to, with any instance holding the same hash key', () => {
    const token = tokens.issue('cus_00000000000000a1', 42n);
    expect(createConsistencyTokens(Buffer.alloc(32, 3)).open('cus_00000000000000a1', token)).toBe(42n);
  });

  it('tell another tenant nothing: a token does not open for another audience or under another key', () => {
    const token = tokens.issue('cus_00000000000000a1', 42n);
    expect(tokens.open('cus_00000000000000b2', token)).toBeUndefined();
    expect(tokens.open('operator', token)).toBeUndefined();
    expect(createConsistencyTokens(Buffer.alloc(32, 4)).open('cus_00000000000000a1', token)).toBeUndefined();
  });

  it('say nothing about the position in their text: fresh each time, one length from the first position to the last', () => {
    const first = tokens.issue('cus_00000000000000a1', 1n);
    expect(tokens.issue('cus_00000000000000a1', 1n)).not.toBe(first);
    expect(tokens.issue('cus_00000000000000a1', 2n ** 62n).length).toBe(first.length);
  });

  it('refuse a forged, altered, raw or oversized token', () => {
    const token = tokens.issue('cus_00000000000000a1', 42n);
    const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const forged of [altered, '42', '', 'v1.a.b.c', `${token}x`.repeat(10)]) {
      expect(tokens.open('cus_00000000000000a1', forged)).toBeUndefined();
    }
  });
});
