import { openApiDocument } from '@otp/contracts';
import { createApiKeyAuthenticator, createOperatorCheck } from '@otp/platform/auth';
import { loadConfig } from '@otp/platform/config';
import { observeAppends, StreamStateCache } from '@otp/platform/event-store';
import { openSelectedEventStore } from '@otp/platform/event-store/selected';
import { connectionLimitsFrom, createHttpApp, createMetrics, runMain, serve } from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { createSmtpMailer } from './email/smtp-mailer';
import { createKeyUseRecorder } from './customers/key-use-recorder';
import { createCommandHandler } from './handling/command-handler';
import { commandRoutes } from './http/index';
import { encryptionKeyFromHashKey, parseEncryptionKey } from './tokens/private-key-sealing';
import { createSigningKeyring } from './tokens/signing-keyring';
import { loadOrCreateKeyFile } from './tokens/signing-keys';
import { createTokenIssuer } from './tokens/token-issuer';
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
  // Every instance reads the same key stream, so all sign with the key it calls current.
  const signingKeys = createSigningKeyring({
    commands,
    encryptionKey: config.SIGNING_KEY_ENCRYPTION_KEY
      ? parseEncryptionKey(config.SIGNING_KEY_ENCRYPTION_KEY)
      : encryptionKeyFromHashKey(config.HASH_KEY),
    deployment: config.DEPLOYMENT_ID,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    firstKey: () => loadOrCreateKeyFile(config.SIGNING_KEY_FILE),
  });
  // At start, not in a request: the key file joins an empty stream here, and a wrong encryption key stops the start.
  await signingKeys.current(new Date());
  const tokens = createTokenIssuer(signingKeys, config.HASH_KEY, {
    issuer: config.JWT_ISSUER,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
  });
  // The query service cannot append: there a key's reads do not mark its last use (docs/decisions.md).
  const keyUse = createKeyUseRecorder({ commands, logger: logger.child({ component: 'key-use' }) });
  const authenticate = createApiKeyAuthenticator({ eventStore, states, hashKey: config.HASH_KEY, onAuthenticated: keyUse.record });
  const app = createHttpApp({
    logger,
    metrics,
    trustProxy: config.TRUST_PROXY,
    openapi: () => openApiDocument(),
    readiness: { eventStore: () => eventStore.ping() },
    routers: [
      commandRoutes({
        commands,
        hashKey: config.HASH_KEY,
        mailer,
        tokens,
        signingKeys,
        auditHistory: { eventStore, onPageRead: metrics.historyPageRead },
        logger,
        otpCodeLength: config.OTP_CODE_LENGTH,
        otpPerEmailPerHour: config.OTP_PER_EMAIL_PER_HOUR,
        authenticate,
        checkOperator,
      }),
    ],
  });

  await serve(app, {
    port: config.PORT,
    host: config.HOST,
    limits: connectionLimitsFrom(config),
    logger,
    describe: { mode: 'distributed' },
    close: async () => {
      await keyUse.idle();
      await mailer.close();
      await eventStore.close();
    },
  });
}

runMain('command-service', main);
