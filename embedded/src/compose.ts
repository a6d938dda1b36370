import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '@otp/contracts';
import {
  createCommandHandler,
  createKeyUseRecorder,
  createDevMailbox,
  createSmtpMailer,
  createTokenIssuer,
  commandRoutes,
  createSigningKeyring,
  loadOrCreateKeyFile,
} from '@otp/command-service';
import { createApiKeyAuthenticator, createOperatorCheck } from '@otp/platform/auth';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { observeAppends, StreamStateCache } from '@otp/platform/event-store';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createHttpApp, createMetrics } from '@otp/platform/http';
import type { Logger } from '@otp/platform/logging';
import { registerProjectionMetrics } from '@otp/projection-service';
import { queryRoutes } from '@otp/query-service';
import type { EmbeddedConfig } from './config';
import { startProjectionThread } from './projection-thread';
import { rebuildRoutes } from './rebuild/rebuild-routes';
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

  // What the process keeps: one cache of folded streams for the commands and the key check, whichever store object each is handed.
  const states = new StreamStateCache();
  const checkOperator = createOperatorCheck(operatorToken, hashKey);
  const projections = await startProjectionThread({
    // The bundle holds the worker beside this file (scripts/build.mjs).
    workerFile: new URL('./projection-worker.js', import.meta.url),
    dataDir: config.DATA_DIR,
    logLevel: config.LOG_LEVEL,
    logger,
  });
  const metrics = createMetrics();
  registerProjectionMetrics(metrics.registry, () => projections.statuses());
  const commands = createCommandHandler({ eventStore: observeAppends(eventStore, metrics.appended), states });
  // The signing keys live in their stream; the key file, if any, is its first key.
  const signingKeys = createSigningKeyring({
    commands,
    encryptionKey: loadSigningKeyEncryptionKey(config.DATA_DIR, config.SIGNING_KEY_ENCRYPTION_KEY),
    deployment: config.DEPLOYMENT_ID,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    firstKey: () => loadOrCreateKeyFile(join(config.DATA_DIR, DATA_DIR_FILES.signingKey)),
  });
  // At start, not in a request: the key file joins an empty stream here, and a wrong encryption key stops the start.
  await signingKeys.current(new Date());
  const tokens = createTokenIssuer(signingKeys, hashKey, {
    issuer: config.JWT_ISSUER ?? `http://localhost:${config.PORT}`,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
  });
  // Each key that gets in, on either side, is recorded once a minute (customers/key-use-recorder.ts).
  const keyUse = createKeyUseRecorder({ commands, logger: logger.child({ component: 'key-use' }) });
  const authenticate = createApiKeyAuthenticator({ eventStore, states, hashKey, onAuthenticated: keyUse.record });

  const app = createHttpApp({
    logger,
    metrics,
    trustProxy: config.TRUST_PROXY,
    openapi: () => openApiDocument(),
    readiness: {
      eventStore: () => eventStore.ping(),
      readModels: () => documents.ping(),
    },
    // Stalled projections leave usage and audit behind, not logins: the instance stays in traffic.
    degradation: { projections: async () => projections.assertRunning() },
    routers: [
      commandRoutes({
        commands,
        hashKey,
        mailer,
        tokens,
        signingKeys,
        logger,
        otpCodeLength: config.OTP_CODE_LENGTH,
        otpPerEmailPerHour: config.OTP_PER_EMAIL_PER_HOUR,
        authenticate,
        checkOperator,
      }),
      queryRoutes({
        documents,
        authenticate,
        checkOperator,
        waitForPosition: (projection, p, ms) => projections.waitForPosition(projection, p, ms),
      }),
      rebuildRoutes({ projections, checkOperator }),
    ],
  });

  return {
    app,
    async close() {
      await projections.stop();
      await keyUse.idle();
      await mailer.close();
      await documents.close();
      await eventStore.close();
    },
  };
}
