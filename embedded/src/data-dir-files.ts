/**
 * The files the embedded server keeps in DATA_DIR, named once: the server, its projection
 * thread and the backup and restore tools all find them here, so a new file cannot be left out
 * of a backup by a second list going stale.
 */
export const DATA_DIR_FILES = {
  /** The event log: the only data that cannot be derived. */
  events: 'events.sqlite',
  /** Derived from the events; rebuilt when missing. */
  readModels: 'read-models.sqlite',
  /** Secrets without which the events are useless (hash key) or issued tokens stop verifying (signing key). */
  hashKey: 'hash-key',
  /** The key before the signing keys' stream: its first key, once. */
  signingKey: 'signing-key.json',
  /** Opens the signing keys' private halves in the stream: without it no instance can sign. */
  signingKeyEncryptionKey: 'signing-key-encryption-key',
  operatorToken: 'operator-token',
  /** The dev mailbox's folder (no SMTP_URL). */
  mailbox: 'mailbox',
} as const;
