import { openApiDocument } from '@otp/contracts';
import { createTxtLookup } from '@otp/platform/dns';
import { openMongoDocumentStore } from '@otp/platform/document-store/mongo';
import { loadConfig } from '@otp/platform/config';
import { openSelectedEventStore } from '@otp/platform/event-store/selected';
import {
  connectionLimitsFrom,
  createHttpApp,
  createMetrics,
  metricsPlacement,
  runMain,
  serve,
  serveMetricsListener,
} from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { composeCommandSide } from './composition/compose-command-side';
import { createSmtpMailer } from './email/smtp-mailer';
import { encryptionKeyFromHashKey, parseEncryptionKey } from './tokens/private-key-sealing';
import { CommandServiceEnv } from './config';

/** The write side alone (distributed mode). Stateless (the signing keys are in the event store): scale it out behind the load balancer. */
async function main(): Promise<void> {
  const config = loadConfig(CommandServiceEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'command-service' });

  const eventStore = openSelectedEventStore(config.eventStore, { writer: 'thread' });
  const mailer = createSmtpMailer(config.SMTP_URL, config.MAIL_FROM);
  const metrics = createMetrics();
  // Read only, for the quotas: each instance counts its own requests on top of what the read model has counted.
  const documents = await openMongoDocumentStore({ url: config.MONGODB_URL, database: config.MONGODB_DB });
  const commandSide = await composeCommandSide({
    settings: config,
    secrets: {
      hashKey: config.HASH_KEY,
      operatorToken: config.OPERATOR_TOKEN,
      encryptionKey: config.SIGNING_KEY_ENCRYPTION_KEY
        ? parseEncryptionKey(config.SIGNING_KEY_ENCRYPTION_KEY)
        : encryptionKeyFromHashKey(config.HASH_KEY),
    },
    eventStore,
    readModels: documents,
    mailer,
    signingKeyFile: config.SIGNING_KEY_FILE,
    issuer: config.JWT_ISSUER,
    lookupTxt: createTxtLookup({ servers: config.DNS_RESOLVER }),
    metrics,
    logger,
    recordKeyUse: true,
  });
  const { metricsAccess, metricsApp } = metricsPlacement(config, metrics, config.OPERATOR_TOKEN, logger);
  const app = createHttpApp({
    logger,
    metrics,
    metricsAccess,
    trustProxy: config.TRUST_PROXY,
    openapi: () => openApiDocument(),
    readiness: { eventStore: () => eventStore.ping() },
    routers: [commandSide.edge.cors, commandSide.routes],
  });

  const metricsListener = await serveMetricsListener(metricsApp, config, logger);
  await serve(app, {
    port: config.PORT,
    host: config.HOST,
    limits: connectionLimitsFrom(config),
    logger,
    describe: { mode: 'distributed' },
    close: async () => {
      await metricsListener?.shutdown('the service stops');
      await commandSide.idle();
      await documents.close();
      await mailer.close();
      await eventStore.close();
    },
  });
}

runMain('command-service', main);
