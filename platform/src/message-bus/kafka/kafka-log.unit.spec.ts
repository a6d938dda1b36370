import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/index';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe('kafka logs', () => {
  it('follows the service log level', () => {
    expect(kafkaLogLevel(capture('warn').logger)).toBe(logLevel.WARN);
    expect(kafkaLogLevel(capture('silent').logger)).toBe(logLevel.NOTHING);
    expect(kafkaLogLevel(capture('trace').logger)).toBe(logLevel.DEBUG);
  });

  it('writes kafkajs entries as structured lines of the service logger', () => {
    const { logger, lines } = capture('info');
    kafkaLogCreator(logger)(logLevel.INFO)({
      namespace: 'Producer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: '2025-01-01T00:00:00.000Z', message: 'connection lost', broker: 'kafka:9092' },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, component: 'kafka', namespace: 'Producer', broker: 'kafka:9092', msg: 'connection lost' });
  });
});
