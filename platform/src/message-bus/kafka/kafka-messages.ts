import type { Message } from 'kafkajs';
import type { BusMessage } from '../port';

/**
 * Port messages as kafkajs takes them. Headers are copied so a caller reusing
 * its objects cannot change a batch kafkajs is still retrying.
 */
export function toKafkaMessages(messages: readonly BusMessage[]): Message[] {
  return messages.map((message) => {
    if (message.key.length === 0) throw new Error('a bus message needs a key: the key decides its partition and so its order');
    return {
      key: message.key,
      value: message.value,
      ...(message.headers ? { headers: { ...message.headers } } : {}),
    };
  });
}
