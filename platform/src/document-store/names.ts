import type { Checkpoint } from './port';

/**
 * Collection and field names end up inside SQL (table names, JSON paths in
 * index expressions) where bound parameters cannot go, and in Mongo where
 * `$` and `.` have meaning. Only plain identifiers pass, so neither adapter
 * ever interpolates anything a caller could shape into syntax.
 */

export class InvalidDocumentStoreInputError extends Error {
  override readonly name = 'InvalidDocumentStoreInputError';
}

// Starts with a lowercase letter so that adapter-internal names (leading `_`) can never collide.
const COLLECTION_NAME = /^[a-z][A-Za-z0-9_]{0,62}$/;
const FIELD_SEGMENT = '[A-Za-z_][A-Za-z0-9_]{0,63}';
const FIELD_PATH = new RegExp(`^${FIELD_SEGMENT}(\\.${FIELD_SEGMENT}){0,15}$`);

export function assertCollectionName(name: string): void {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new InvalidDocumentStoreInputError(`invalid collection name ${JSON.stringify(name)}`);
  }
}

export function assertFieldPath(path: string): void {
  if (typeof path !== 'string' || !FIELD_PATH.test(path)) {
    throw new InvalidDocumentStoreInputError(`invalid field path ${JSON.stringify(path)}`);
  }
}

/** Bounded so one pruning call stays one short statement on either adapter. */
export const MAX_DELETE_IDS = 1_000;

export function assertDeleteIds(ids: string[]): void {
  if (!Array.isArray(ids) || ids.length > MAX_DELETE_IDS) {
    throw new InvalidDocumentStoreInputError(`deleteMany takes at most ${MAX_DELETE_IDS} ids`);
  }
  ids.forEach(assertDocumentId);
}

export function assertDocumentId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidDocumentStoreInputError(`document ids are non-empty strings, got ${JSON.stringify(id)}`);
  }
}

// A chain hash is 64 hex characters; the bound only keeps a wrong value (an event's data) out of every batch.
const MAX_CHECKPOINT_HASH_LENGTH = 128;

export function assertCheckpoint({ name, position, hash, version }: Checkpoint): void {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidDocumentStoreInputError('checkpoint name is empty');
  // Both adapters store it as a signed 64-bit integer.
  if (typeof position !== 'bigint' || position < 0n || position > 0x7fff_ffff_ffff_ffffn) {
    throw new InvalidDocumentStoreInputError(`checkpoint position out of range: ${String(position)}`);
  }
  if (typeof hash !== 'string' || hash.length === 0 || hash.length > MAX_CHECKPOINT_HASH_LENGTH) {
    throw new InvalidDocumentStoreInputError(`checkpoint hash must be a string of 1 to ${MAX_CHECKPOINT_HASH_LENGTH} characters`);
  }
  // Compared, never counted with: a small positive integer that every adapter stores exactly.
  if (!Number.isSafeInteger(version) || version < 1 || version > 0x7fff_ffff) {
    throw new InvalidDocumentStoreInputError(`checkpoint version must be a positive integer, got ${String(version)}`);
  }
}
