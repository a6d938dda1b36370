import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BrokerListEnv, DistributedEnv, EventStoreChoiceEnv, withEventStoreChoice } from './distributed-env';
import { loadConfig } from './load-config';

const Env = z.object({ ...DistributedEnv, KAFKA_BROKERS: BrokerListEnv });
const valid = {
  EVENTSTORE_URL: 'esdb://eventstoredb:2113?tls=false',
  MONGODB_URL: 'mongodb://mongodb:27017/?replicaSet=rs0',
  HASH_KEY: Buffer.alloc(32, 7).toString('base64'),
  OPERATOR_TOKEN: 'op_'.padEnd(40, 'x'),
  KAFKA_BROKERS: ' kafka-1:9092, kafka-2:9092 ,',
};

describe('distributed env', () => {
  it('parses connection strings, decodes the hash key and splits the broker list', () => {
    const config = loadConfig(Env, valid);
    expect(config.HASH_KEY).toEqual(Buffer.alloc(32, 7));
    expect(config.MONGODB_DB).toBe('otp_auth');
    expect(config.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9092']);
  });

  it('requires the shared secrets instead of generating them, and lists every problem', () => {
    const { HASH_KEY: _h, OPERATOR_TOKEN: _o, ...withoutSecrets } = valid;
    expect(() => loadConfig(Env, withoutSecrets)).toThrow(/HASH_KEY[\s\S]*OPERATOR_TOKEN/);
  });

  it('rejects a short hash key, a foreign URL scheme and brokers without ports', () => {
    const error = (() => {
      try {
        loadConfig(Env, {
          ...valid,
          HASH_KEY: Buffer.alloc(16).toString('base64'),
          EVENTSTORE_URL: 'http://eventstoredb:2113',
          KAFKA_BROKERS: 'kafka:9092,kafka',
        });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(error).toMatch(/HASH_KEY: must be base64 of at least 32 bytes/);
    expect(error).toMatch(/EVENTSTORE_URL: must be an esdb/);
    expect(error).toMatch(/KAFKA_BROKERS\.1: must be host:port/);
    expect(() => loadConfig(Env, { ...valid, KAFKA_BROKERS: ' , ' })).toThrow(/needs at least one broker/);
  });

  describe('event store choice', () => {
    const Choice = z.object(EventStoreChoiceEnv).transform(withEventStoreChoice);

    it('is EventStoreDB unless told otherwise, so compose runs unchanged', () => {
      expect(loadConfig(Choice, { EVENTSTORE_URL: valid.EVENTSTORE_URL })).toEqual({
        eventStore: { kind: 'esdb', connectionString: valid.EVENTSTORE_URL },
      });
    });

    it('is a shared SQLite file when EVENT_STORE=sqlite, which ignores EVENTSTORE_URL', () => {
      expect(
        loadConfig(Choice, { EVENT_STORE: 'sqlite', EVENT_STORE_FILE: '/data/events.sqlite', EVENTSTORE_URL: valid.EVENTSTORE_URL }),
      ).toEqual({
        eventStore: { kind: 'sqlite', file: '/data/events.sqlite' },
      });
    });

    it('names the variable the choice needs, and refuses an unknown store', () => {
      expect(() => loadConfig(Choice, {})).toThrow(/EVENTSTORE_URL: required when EVENT_STORE=esdb/);
      expect(() => loadConfig(Choice, { EVENT_STORE: 'sqlite', EVENTSTORE_URL: valid.EVENTSTORE_URL })).toThrow(
        /EVENT_STORE_FILE: required when EVENT_STORE=sqlite/,
      );
      expect(() => loadConfig(Choice, { EVENT_STORE: 'postgres' })).toThrow(/EVENT_STORE/);
    });
  });
});
