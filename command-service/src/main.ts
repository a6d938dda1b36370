import { openApiDocument } from '@otp/contracts';
import { browserCors, createApiKeyAuthenticator, createOperatorCheck, createRequestGuard } from '@otp/platform/auth';
import { createTxtLookup } from '@otp/platform/dns';
import { openMongoDocumentStore } from '@otp/platform/document-store/mongo';
import { loadConfig } from '@otp/platform/config';
import { createConsistencyTokens } from '@otp/platform/crypto';
import { observeAppends, StreamStateCache } from '@otp/platform/event-store';
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
import { createSmtpMailer } from './email/smtp-mailer';
import { createTenantMailers } from './email/tenant-mailers';
import { createKeyUseRecorder } from './customers/key-use-recorder';
import { createLimitRecorder } from './limits/limit-recorder';
import { createOtpQuotaGate } from './limits/otp-quota-gate';
import { otpUsageFromReadModel } from './limits/otp-usage';
import { createCommandHandler } from './handling/command-handler';
import { commandRoutes } from './http/index';
import { signupLimitsFrom } from './signup/signup-limits';
import { encryptionKeyFromHashKey, parseEncryptionKey } from './tokens/private-key-sealing';
import { createSigningKeyring } from './tokens/signing-keyring';
import { loadOrCreateKeyFile } from './tokens/signing-keys';
import { createTokenIssuer, LONGEST_ACCESS_TOKEN_TTL_SECONDS } from './tokens/token-issuer';
import { CommandServiceEnv } from './config';

/** The write side alone (distributed mode). Stateless (the signing keys are in the event store): scale it out behind the load balancer. */
async function main(): Promise<void> {
  const config = loadConfig(CommandServiceEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'command-service' });

  const eventStore = openSelectedEventStore(config.eventStore, { writer: 'thread' });
  const mailer = createSmtpMailer(config.SMTP_URL, config.MAIL_FROM);
  // What the process keeps: one cache of folded streams, for the commands and the key check alike.
  const states = new StreamStateCache();
  const checkOperator = createOperatorCheck(config.OPERATOR_TOKEN, config.HASH_KEY);

  const metrics = createMetrics();
  const commands = createCommandHandler({ eventStore: observeAppends(eventStore, metrics.appended), states });
  const encryptionKey = config.SIGNING_KEY_ENCRYPTION_KEY
    ? parseEncryptionKey(config.SIGNING_KEY_ENCRYPTION_KEY)
    : encryptionKeyFromHashKey(config.HASH_KEY);
  // The signing keys' key-encryption key also seals tenants' secrets (under a key derived for them).
  const mailers = createTenantMailers({
    relay: mailer,
    encryptionKey,
    from: config.MAIL_FROM,
    resend: { baseUrl: config.RESEND_BASE_URL, timeoutMs: config.RESEND_TIMEOUT_MS },
    logger: logger.child({ component: 'email' }),
  });
  // Every instance reads the same key stream, so all sign with the key it calls current.
  const signingKeys = createSigningKeyring({
    commands,
    encryptionKey,
    deployment: config.DEPLOYMENT_ID,
    accessTokenTtlSeconds: LONGEST_ACCESS_TOKEN_TTL_SECONDS,
    firstKey: () => loadOrCreateKeyFile(config.SIGNING_KEY_FILE),
  });
  // At start, not in a request: the key file joins an empty stream here, and a wrong encryption key stops the start.
  await signingKeys.current(new Date());
  const tokens = createTokenIssuer(signingKeys, config.HASH_KEY, {
    issuer: config.JWT_ISSUER,
    sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
  });
  // The query service cannot append: there a key's reads do not mark its last use (docs/decisions.md).
  const keyUse = createKeyUseRecorder({ commands, logger: logger.child({ component: 'key-use' }) });
  const authenticate = createApiKeyAuthenticator({ eventStore, states, hashKey: config.HASH_KEY, onAuthenticated: keyUse.record });
  const { metricsAccess, metricsApp } = metricsPlacement(config, metrics, config.OPERATOR_TOKEN, logger);
  // Read only, for the quotas: each instance counts its own requests on top of what the read model has counted.
  const documents = await openMongoDocumentStore({ url: config.MONGODB_URL, database: config.MONGODB_DB });
  const limits = createLimitRecorder({ commands, logger: logger.child({ component: 'limits' }) });
  const quotas = createOtpQuotaGate({ commands, usage: otpUsageFromReadModel(documents), recorder: limits });
  // The buckets and failure records are this instance's own (docs/decisions.md).
  const guard = createRequestGuard({
    authenticate,
    checkOperator,
    eventStore,
    states,
    hashKey: config.HASH_KEY,
    registry: metrics.registry,
    onRateLimited: limits.rateLimited,
  });
  const app = createHttpApp({
    logger,
    metrics,
    metricsAccess,
    trustProxy: config.TRUST_PROXY,
    openapi: () => openApiDocument(),
    readiness: { eventStore: () => eventStore.ping() },
    routers: [
      browserCors({ eventStore, states }),
      commandRoutes({
        commands,
        hashKey: config.HASH_KEY,
        mailer,
        mailers,
        tokens,
        signingKeys,
        auditHistory: { eventStore, onPageRead: metrics.historyPageRead },
        logger,
        encryptionKey,
        lookupTxt: createTxtLookup({ servers: config.DNS_RESOLVER }),
        guard,
        quotas,
        // Sealed with HASH_KEY, which the query service shares: its reads open these tokens.
        consistency: createConsistencyTokens(config.HASH_KEY),
        signupLimits: signupLimitsFrom(config),
      }),
    ],
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
      await keyUse.idle();
      await limits.idle();
      await documents.close();
      await mailer.close();
      await eventStore.close();
    },
  });
}

runMain('command-service', main);
