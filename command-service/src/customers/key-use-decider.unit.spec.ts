import { describe, it } from 'vitest';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { keyUseDecider, type KeyUseEvent, type RecordKeyUse } from './key-use-decider';

const given = contractCheckedSpecFor(keyUseDecider);
const customerId = 'cus_00000000000000a1';
const keyId = 'key_0000000000a1';
const use = (iso: string, key = keyId): RecordKeyUse => ({ type: 'RecordKeyUse', customerId, keyId: key, now: new Date(iso) });
const used = (minute: string, key = keyId): KeyUseEvent => ({ type: 'ApiKeyUsed', data: { customerId, keyId: key, minute } });

describe('RecordKeyUse', () => {
  it('records the first use of a key, to the minute', () =>
    given([])
      .when(use('2025-03-01T12:00:42.123Z'))
      .then([used('2025-03-01T12:00:00.000Z')]));

  it('records nothing for a second use within the same minute', () =>
    given([used('2025-03-01T12:00:00.000Z')])
      .when(use('2025-03-01T12:00:59.999Z'))
      .thenNothing());

  it('records the first use of the next minute', () =>
    given([used('2025-03-01T12:00:00.000Z')])
      .when(use('2025-03-01T12:01:00.000Z'))
      .then([used('2025-03-01T12:01:00.000Z')]));

  it('records nothing for a use older than the one recorded (a slow instance)', () =>
    given([used('2025-03-01T12:05:00.000Z')])
      .when(use('2025-03-01T12:04:30.000Z'))
      .thenNothing());

  it('keeps each key apart', () =>
    given([used('2025-03-01T12:00:00.000Z')])
      .when(use('2025-03-01T12:00:10.000Z', 'key_0000000000b2'))
      .then([used('2025-03-01T12:00:00.000Z', 'key_0000000000b2')]));
});
