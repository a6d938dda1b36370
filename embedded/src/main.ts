import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@otp/platform/config';
import { bindPort, connectionLimitsFrom, runMain, serve, serveMetricsListener } from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { composeEmbedded } from './compose';
import { EmbeddedEnv, type EmbeddedConfig } from './config';
import { DATA_DIR_FILES } from './data-dir-files';

async function main(): Promise<void> {
  // Everything this process creates (the SQLite files with emails and IPs, keys, the mailbox)
  // is for its own user only, even in a DATA_DIR that already existed with looser modes.
  process.umask(0o077);
  const config = loadConfig(EmbeddedEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'otp-auth' });
  // The port first: a busy one ends the start here, before a data folder or an operator token exists.
  const bound = await bindPort(config.PORT, config.HOST, connectionLimitsFrom(config));
  const firstStart = !existsSync(config.DATA_DIR);
  const service = await composeEmbedded(config, logger);
  // Before the "listening" line, which is what a reader (or a test) waits for.
  if (firstStart) process.stdout.write(nextSteps(config, bound.port));
  const metricsListener = await serveMetricsListener(service.metricsApp, config, logger);
  await serve(service.app, {
    port: config.PORT,
    host: config.HOST,
    bound,
    logger,
    close: async () => {
      await metricsListener?.shutdown('the service stops');
      await service.close();
    },
    describe: { dataDir: config.DATA_DIR, mode: 'embedded' },
  });
}

/** Printed once, on the start that made DATA_DIR: where a newcomer goes from here. */
function nextSteps(config: EmbeddedConfig, port: number): string {
  const base = `http://${browsable(config.HOST)}:${port}`;
  const token = config.OPERATOR_TOKEN ? 'OPERATOR_TOKEN, from the environment' : join(config.DATA_DIR, DATA_DIR_FILES.operatorToken);
  return [
    '',
    `First start: data in ${config.DATA_DIR}. Next:`,
    `  operator token   ${token}`,
    '  walk-through     README.md, "Five minutes with curl" (this terminal stays with the server: open another)',
    `  API reference    ${base}/docs (the OpenAPI document: ${base}/openapi.json)`,
    '',
    '',
  ].join('\n');
}

/** Every interface includes this machine's loopback; an IPv6 address needs brackets in a URL. */
function browsable(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

runMain('otp-auth', main);
