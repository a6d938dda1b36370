import { loadConfig } from '@otp/platform/config';
import { runMain, serve } from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { composeEmbedded } from './compose';
import { EmbeddedEnv } from './config';

async function main(): Promise<void> {
  // Everything this process creates (the SQLite files with emails and IPs, keys, the mailbox)
  // is for its own user only, even in a DATA_DIR that already existed with looser modes.
  process.umask(0o077);
  const config = loadConfig(EmbeddedEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'otp-auth' });
  const service = await composeEmbedded(config, logger);
  await serve(service.app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    close: () => service.close(),
    describe: { dataDir: config.DATA_DIR, mode: 'embedded' },
  });
}

runMain('otp-auth', main);
