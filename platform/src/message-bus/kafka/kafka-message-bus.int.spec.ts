import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTestServer } from '../../testing/test-server';
import { createLogger } from '../../logging/index';
import type { MessageBus } from '../port';
import { createKafkaMessageBus } from './index';

const IMAGE = 'apache/kafka:3.9.1';
// KAFKA_BROKERS first (scripts/test-servers.sh starts a broker), else a container.
const server = await findTestServer('KAFKA_BROKERS');

/** Kafka advertises the address clients must use, so the host port is chosen before the container starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

if (server.from === 'none') {
  console.log(`kafka message bus contract skipped: ${server.reason}`);
  describe.skip('kafka message bus', () => {
    it('needs a Docker engine or KAFKA_BROKERS', () => {});
  });
} else {
  let container: StartedTestContainer | undefined;
  let brokers: string[] = server.from === 'env' ? server.address.split(',') : [];
  let bus: MessageBus;
  const logger = createLogger({ level: 'warn' });

  beforeAll(async () => {
    if (server.from === 'container') {
      const port = await freePort();
      container = await new GenericContainer(IMAGE)
        .withExposedPorts({ container: 9092, host: port })
        .withEnvironment({
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
          KAFKA_LISTENERS: 'PLAINTEXT_HOST://:9092,PLAINTEXT://:19092,CONTROLLER://:9093',
          KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT_HOST://localhost:${port},PLAINTEXT://localhost:19092`,
          KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT',
          KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .withStartupTimeout(180_000)
        .start();
      brokers = [`localhost:${port}`];
    }
    bus = createKafkaMessageBus({ clientId: 'contract-test', brokers, logger });
  }, 240_000);

  afterAll(async () => {
    await bus?.close();
    await container?.stop();
  });

  async function readBack(topic: string, count: number) {
    const kafka = new Kafka({ clientId: 'contract-reader', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: { partition: number; key: string; value: string; headers: Record<string, string> }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          seen.push({ partition, key: String(message.key), value: String(message.value), headers });
          if (seen.length >= count) resolve();
        },
      });
    });
    await consumer.disconnect();
    return seen;
  }

  describe('kafka message bus', () => {
    it('answers ping', async () => {
      await bus.ping();
    });

    it('creates a topic once and publishes a batch that reads back in per-key order with headers', async () => {
      const topic = `contract-${randomUUID()}`;
      // One broker in the container: one copy, asked for explicitly.
      expect(await bus.ensureTopic(topic, { partitions: 3, replicationFactor: 1 })).toEqual({ created: true, replicationFactor: 1 });
      expect(await bus.ensureTopic(topic, { partitions: 3, replicationFactor: 1 })).toEqual({ created: false, replicationFactor: 1 });
      const messages = Array.from({ length: 20 }, (_, i) => ({
        key: `tenant-${i % 4}`,
        value: JSON.stringify({ i }),
        headers: { 'event-id': `e${i}` },
      }));
      await bus.publish(topic, messages);

      const seen = await readBack(topic, messages.length);
      expect(seen).toHaveLength(20);
      for (const key of ['tenant-0', 'tenant-1', 'tenant-2', 'tenant-3']) {
        const ofKey = seen.filter((m) => m.key === key);
        expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
        expect(ofKey.map((m) => (JSON.parse(m.value) as { i: number }).i)).toEqual(messages.flatMap((m, i) => (m.key === key ? [i] : [])));
      }
      expect(seen.find((m) => m.value === '{"i":7}')?.headers).toEqual({ 'event-id': 'e7' });
    });

    it('rejects a publish to a topic that was never created instead of creating it', async () => {
      await expect(bus.publish(`missing-${randomUUID()}`, [{ key: 'k', value: 'v' }])).rejects.toThrow();
    }, 120_000);
  });
}
