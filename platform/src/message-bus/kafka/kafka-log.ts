import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../../logging/index';

/** Routes kafkajs' own log lines into the service's structured logs instead of stdout text. */
export function kafkaLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafka' });
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { namespace, ...extra };
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}

/** kafkajs filters before calling the creator's logger, so its level follows the service's. */
export function kafkaLogLevel(logger: Logger): logLevel {
  switch (logger.level) {
    case 'silent':
      return logLevel.NOTHING;
    case 'fatal':
    case 'error':
      return logLevel.ERROR;
    case 'warn':
      return logLevel.WARN;
    case 'info':
      return logLevel.INFO;
    default:
      return logLevel.DEBUG;
  }
}
