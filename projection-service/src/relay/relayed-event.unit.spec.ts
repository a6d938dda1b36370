import type { RecordedEvent } from '@otp/platform/event-store';
import { describe, expect, it } from 'vitest';
import { toRelayMessage } from './relayed-event';

const recorded = (metadata: Record<string, unknown>): RecordedEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  type: 'CustomerRegistered',
  streamName: 'customer-cus_00000000000000a1',
  revision: 3n,
  position: 2n ** 63n - 5n,
  data: { name: 'Acme' },
  metadata: { hash: 'h', ...metadata },
});

describe('toRelayMessage', () => {
  it('keys by tenant and carries the event with its position as an exact decimal string', () => {
    const message = toRelayMessage(recorded({ tenantId: 'cus_00000000000000a1' }));
    expect(message.key).toBe('cus_00000000000000a1');
    expect(JSON.parse(String(message.value))).toEqual({
      id: '00000000-0000-4000-8000-000000000001',
      type: 'CustomerRegistered',
      streamName: 'customer-cus_00000000000000a1',
      revision: 3,
      position: '9223372036854775803',
      data: { name: 'Acme' },
      metadata: { hash: 'h', tenantId: 'cus_00000000000000a1' },
    });
    expect(message.headers).toEqual({
      'content-type': 'application/json',
      'event-id': '00000000-0000-4000-8000-000000000001',
      'event-type': 'CustomerRegistered',
      'tenant-id': 'cus_00000000000000a1',
    });
  });

  it('keys an event without a tenant by its stream, keeping that stream in order', () => {
    const message = toRelayMessage(recorded({}));
    expect(message.key).toBe('customer-cus_00000000000000a1');
    expect(message.headers).not.toHaveProperty('tenant-id');
  });
});
