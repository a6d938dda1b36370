import type { Doc, WriteOp } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';

/** A document as the store holds it with the writes of the batch so far applied; undefined when there is none. */
export type DocumentView = (collection: string, id: string) => Doc | undefined;

/** A document a projector reads to project an event. */
export interface DocumentRef {
  collection: string;
  id: string;
}

/**
 * A read model: a pure function from one event (and, where it must number or
 * count, the documents it names in `reads`) to the writes it causes, plus what
 * the runner needs to store, index and rebuild those writes.
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
  /**
   * Documents `project` reads through its view. The runner fetches them once per batch, before
   * projecting it, so `project` stays synchronous and a batch still commits in one `applyBatch`.
   */
  readonly reads?: (event: ProjectedEvent) => DocumentRef[];
  readonly project: (event: ProjectedEvent, view: DocumentView) => WriteOp[];
}

/** Ends an exhaustive switch: a new event type fails to compile until every projector decides on it. */
export function assertNever(value: never): never {
  throw new Error(`unhandled event ${JSON.stringify((value as { type?: unknown }).type ?? value)}`);
}
