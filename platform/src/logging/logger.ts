import { pino, type Logger, type LoggerOptions } from 'pino';
import { CENSOR, SECRET_FIELDS, redactSecrets } from './redact-secrets';

export type { Logger };

/**
 * Structured JSON logs. Redaction of secret fields is a safety net for
 * fields that could hold a secret if someone logs a whole object by mistake;
 * the first line of defence is never putting secrets in log calls.
 */
export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: options.name ? { service: options.name } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
    // Nested secret fields in logged objects; child bindings never pass through this formatter,
    // so pino's own redaction covers top-level fields (cheap: no wildcard paths).
    formatters: { log: (object) => redactSecrets(object) },
    redact: { paths: [...SECRET_FIELDS], censor: CENSOR },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
