import { collections } from '@otp/contracts';
import type { Doc, DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import { scenario, type ScenarioEvent } from './events';

/** Appends the events one by one, as separate commands would; answers the last one's position. */
export async function appendAll(eventStore: EventStore, events: ScenarioEvent[] = scenario()): Promise<bigint> {
  let position = 0n;
  for (const { streamName, event } of events) position = (await eventStore.append(streamName, [event], 'any')).position;
  return position;
}

/** Every read-model document, in a stable order, for comparing two projections whole. */
export async function dumpReadModels(documents: DocumentStore): Promise<Record<string, Doc[]>> {
  const all: Record<string, Doc[]> = {};
  for (const collection of Object.values(collections)) all[collection] = await documents.find(collection, { orderBy: [['_id', 'asc']] });
  return all;
}
