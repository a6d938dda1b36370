import { createHash } from 'node:crypto';
import { GENESIS_HASH } from './hash-chain';

/** A tenant's running hash before its first event. */
export const RUNNING_HASH_GENESIS = GENESIS_HASH;

/**
 * head_n = SHA-256(head_{n-1} || hash_n), hex, where hash_n is the stored chain hash
 * (`metadata.hash`) of the tenant's n-th event in global order and both operands are their
 * 64 lowercase hex characters as ASCII bytes (128 bytes hashed per step), as `chainHash`
 * does with its previous hash. It folds the stored hashes, not the events: every event's hash
 * already covers its content and its stream's past, so the head pins the whole history in
 * its order, and an auditor recomputes it from the export alone.
 */
export function runningHash(previousHead: string, eventHash: string): string {
  return createHash('sha256').update(previousHead).update(eventHash).digest('hex');
}
