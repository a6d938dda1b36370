import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/index';
import { createKafkaMessageBus } from './index';

// Nothing listens on port 1: any attempt to reach a broker would fail (slowly, after kafkajs' retries).
const bus = () => createKafkaMessageBus({ clientId: 'unit', brokers: ['127.0.0.1:1'], logger: createLogger({ level: 'silent' }) });

describe('kafka message bus without a broker', () => {
  it('does not connect for an empty batch', async () => {
    const started = Date.now();
    await bus().publish('otp-auth.events', []);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('refuses a message without a key before connecting', async () => {
    await expect(bus().publish('otp-auth.events', [{ key: '', value: 'v' }])).rejects.toThrow(/needs a key/);
  });

  it('refuses work once closed, at once', async () => {
    const closed = bus();
    await closed.close();
    await expect(closed.publish('otp-auth.events', [{ key: 'k', value: 'v' }])).rejects.toThrow(/closed/);
    await expect(closed.ping()).rejects.toThrow(/closed/);
  });
});
