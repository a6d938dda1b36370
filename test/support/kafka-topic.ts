import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export interface TopicMessage {
  key: string;
  position: string;
  eventId: string;
}

/**
 * Every message the topic holds now: the high watermark of each partition is read first, then a
 * consumer group of its own reads from the beginning up to it, so the answer is the whole topic
 * at that moment, duplicates included.
 */
/** How many messages the topic holds, from its partitions' offsets; 0 while it does not exist yet. */
export async function topicSize(brokers: string, topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'e2e-topic-size', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function readWholeTopic(brokers: string, topic: string): Promise<TopicMessage[]> {
  const kafka = new Kafka({ clientId: 'e2e-topic-reader', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const left = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
  const messages: TopicMessage[] = [];
  if (left.size === 0) return messages;

  const consumer = kafka.consumer({ groupId: `e2e-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const value = JSON.parse(message.value!.toString()) as { id: string; position: string };
          messages.push({ key: message.key!.toString(), position: value.position, eventId: value.id });
          if (BigInt(message.offset) + 1n >= ends.get(partition)!) left.delete(partition);
          if (left.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return messages;
}
