import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '@otp/contracts';
import { composeCommandSide, createDevMailbox, createSmtpMailer } from '@otp/command-service';
import { createTxtLookup } from '@otp/platform/dns';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createHttpApp, createMetrics, metricsPlacement } from '@otp/platform/http';
import type { Logger } from '@otp/platform/logging';
import { registerProjectionMetrics } from '@otp/projection-service';
import { rebuildRoutes } from '@otp/projection-service/http';
import { composeQuerySide } from '@otp/query-service';
import type { EmbeddedConfig } from './config';
import { startProjectionThread } from './projection-thread';
import { loadHashKey, loadOperatorToken, loadSigningKeyEncryptionKey } from './server-secrets';
import { DATA_DIR_FILES } from './data-dir-files';

/**
 * The embedded composition root: the three services in one process over two
 * SQLite files, the projections on a worker thread of their own. Events and
 * read models live in separate files so deleting `read-models.sqlite` is all
 * a rebuild takes (see docs/architecture.md).
 */
export async function composeEmbedded(config: EmbeddedConfig, logger: Logger) {
  mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
  const hashKey = loadHashKey(config.DATA_DIR, config.HASH_KEY);
  const operatorToken = loadOperatorToken(config.DATA_DIR, config.OPERATOR_TOKEN);

  // Appends are sealed and committed (fsync included) on the store's writer thread.
  const eventStore = openSqliteEventStore({
    file: join(config.DATA_DIR, DATA_DIR_FILES.events),
    writer: 'thread',
    onWriterFailure: (error, restartInMs) =>
      logger.error(
        { component: 'event-store', err: error.message, restartInMs },
        'event store writer thread died; appends fail until it is restarted',
      ),
  });
  // Read side only: the projection thread owns the writes to this file.
  const documents = openSqliteDocumentStore({ file: join(config.DATA_DIR, DATA_DIR_FILES.readModels) });

  const mailer = config.SMTP_URL
    ? createSmtpMailer(config.SMTP_URL, config.MAIL_FROM)
    : createDevMailbox(join(config.DATA_DIR, DATA_DIR_FILES.mailbox), config.MAIL_FROM, logger.child({ component: 'dev-mailbox' }));

  // The signing keys' key-encryption key also seals tenants' secrets (under a key derived for them).
  const encryptionKey = loadSigningKeyEncryptionKey(config.DATA_DIR, config.SIGNING_KEY_ENCRYPTION_KEY);
  const projections = await startProjectionThread({
    // The bundle holds the worker beside this file (scripts/build.mjs).
    workerFile: new URL('./projection-worker.js', import.meta.url),
    dataDir: config.DATA_DIR,
    logLevel: config.LOG_LEVEL,
    logger,
    auditRetentionDays: config.AUDIT_RETENTION_DAYS,
    challengeRetentionMarginMinutes: config.CHALLENGE_RETENTION_MARGIN_MINUTES,
  });
  const metrics = createMetrics();
  registerProjectionMetrics(metrics.registry, () => projections.statuses());
  // The signing keys live in their stream; the key file, if any, is its first key.
  const commandSide = await composeCommandSide({
    settings: config,
    secrets: { hashKey, operatorToken, encryptionKey },
    eventStore,
    readModels: documents,
    mailer,
    signingKeyFile: join(config.DATA_DIR, DATA_DIR_FILES.signingKey),
    issuer: config.JWT_ISSUER ?? `http://localhost:${config.PORT}`,
    lookupTxt: createTxtLookup({ servers: config.DNS_RESOLVER }),
    metrics,
    logger,
    recordKeyUse: true,
  });
  // One edge for both sides: one process, one set of buckets and failure records.
  const { cors, guard, checkOperator } = commandSide.edge;

  const { metricsAccess, metricsApp } = metricsPlacement(config, metrics, operatorToken, logger);
  const app = createHttpApp({
    logger,
    metrics,
    metricsAccess,
    trustProxy: config.TRUST_PROXY,
    openapi: () => openApiDocument(),
    readiness: {
      eventStore: () => eventStore.ping(),
      readModels: () => documents.ping(),
    },
    // Stalled projections leave usage and audit behind, not logins: the instance stays in traffic.
    degradation: { projections: async () => projections.assertRunning() },
    routers: [
      // Before every route: a preflight is answered here, and every answer to an allowed origin carries its grant.
      cors,
      commandSide.routes,
      composeQuerySide({
        documents,
        eventStore,
        guard,
        secrets: { hashKey, serviceKey: config.SERVICE_KEY },
        waitForPosition: (projection, p, ms) => projections.waitForPosition(projection, p, ms),
      }),
      rebuildRoutes({ rebuilder: () => projections, checkOperator }),
    ],
  });

  return {
    app,
    /** The metrics listener's app, when METRICS_PORT is set. */
    metricsApp,
    async close() {
      await projections.stop();
      await commandSide.idle();
      await mailer.close();
      await documents.close();
      await eventStore.close();
    },
  };
}
