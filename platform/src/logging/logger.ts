import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. The redaction list is a safety net for fields that
 * could hold a secret if someone logs a whole object by mistake; the first
 * line of defence is never putting secrets in log calls.
 */
export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: options.name ? { service: options.name } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'code',
        '*.code',
        'key',
        '*.key',
        'apiKey',
        '*.apiKey',
        'refreshToken',
        '*.refreshToken',
        'accessToken',
        '*.accessToken',
        'password',
        '*.password',
      ],
      censor: '[redacted]',
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
