import { describe, expect, it } from 'vitest';
import { toKafkaMessages } from './kafka-messages';

describe('toKafkaMessages', () => {
  it('keeps key, value and headers, in order', () => {
    const value = Buffer.from('{"a":1}');
    expect(
      toKafkaMessages([
        { key: 'cus_1', value, headers: { 'event-type': 'OtpRequested' } },
        { key: 'cus_2', value: 'text' },
      ]),
    ).toEqual([
      { key: 'cus_1', value, headers: { 'event-type': 'OtpRequested' } },
      { key: 'cus_2', value: 'text' },
    ]);
  });

  it('copies headers, so a caller changing its object later cannot change a batch being retried', () => {
    const headers = { 'event-id': 'a' };
    const [message] = toKafkaMessages([{ key: 'k', value: 'v', headers }]);
    headers['event-id'] = 'b';
    expect(message?.headers).toEqual({ 'event-id': 'a' });
  });

  it('refuses an empty key, which would scatter a tenant over partitions', () => {
    expect(() => toKafkaMessages([{ key: '', value: 'v' }])).toThrow(/key/);
  });
});
