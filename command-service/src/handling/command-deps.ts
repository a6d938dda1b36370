import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import type { Mailer } from '../email/mailer';
import type { TokenIssuer } from '../tokens/token-issuer';

/** What the write side's use cases need; built once in a composition root. */
export interface CommandDeps {
  eventStore: EventStore;
  /** Server secret for keyed hashes (codes, keys, email keys, refresh tokens). */
  hashKey: Buffer;
  mailer: Mailer;
  tokens: TokenIssuer;
  logger: Logger;
  otpCodeLength: number;
}
