import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@otp/platform/config';
import { createLogger } from '@otp/platform/logging';
import { composeEmbedded } from './compose';
import { EmbeddedEnv } from './config';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig(EmbeddedEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'otp-auth' });
  const service = await composeEmbedded(config, logger);
  const server = service.app.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: config.HOST, dataDir: config.DATA_DIR, mode: 'embedded' }, `listening on http://${config.HOST}:${port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop taking requests, let the ones in flight finish, then close the stores they use.
    const force = setTimeout(() => {
      logger.warn('grace period over; closing open connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS).unref();
    server.close();
    server.closeIdleConnections();
    await once(server, 'close');
    clearTimeout(force);
    await service.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`otp-auth failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
