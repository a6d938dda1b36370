import type { WriteOp } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';

/**
 * A read model: a pure function from one event to the writes it causes, plus
 * what the runner needs to store, index and rebuild those writes.
 */
export interface Projector {
  /** Names its checkpoint: each projection follows the log on its own. */
  readonly name: string;
  /**
   * Stored with the checkpoint. Raise it when a change alters the documents this projector
   * writes for events already stored: the next start rebuilds this projection alone from the
   * first event, and the others keep their checkpoints.
   */
  readonly version: number;
  /** Collections only this projector writes: a rebuild drops them. */
  readonly collections: readonly string[];
  /** Fields the query side filters and sorts by. */
  readonly indexes: readonly { collection: string; fields: string[] }[];
  readonly project: (event: ProjectedEvent) => WriteOp[];
}

/** Ends an exhaustive switch: a new event type fails to compile until every projector decides on it. */
export function assertNever(value: never): never {
  throw new Error(`unhandled event ${JSON.stringify((value as { type?: unknown }).type ?? value)}`);
}
