import type { AnyBulkWriteOperation, Document, Filter, Sort, UpdateFilter } from 'mongodb';
import type { FindQuery, UpdateSpec, WriteOp } from '../port';
import { normalizeQuery, type NormalizedQuery } from '../query';

export type MongoDoc = Document & { _id: string };

export function toBulkOperation(op: WriteOp): AnyBulkWriteOperation<MongoDoc> {
  switch (op.kind) {
    case 'put':
      return { replaceOne: { filter: { _id: op.doc._id }, replacement: op.doc, upsert: true } };
    case 'update':
      return { updateOne: { filter: { _id: op.id }, update: toUpdateFilter(op.update), upsert: op.upsert } };
    case 'delete':
      return { deleteOne: { filter: { _id: op.id } } };
    default: {
      const unknownOp: never = op;
      throw new Error(`unknown write op ${JSON.stringify(unknownOp)}`);
    }
  }
}

/** Empty operators are dropped: older servers reject `{ $set: {} }`. */
function toUpdateFilter(spec: UpdateSpec): UpdateFilter<MongoDoc> {
  const update: Document = {};
  for (const [operator, fields] of Object.entries(spec) as [string, Record<string, unknown> | undefined][]) {
    if (fields && Object.keys(fields).length > 0) update[operator] = fields;
  }
  return update;
}

export interface MongoFind {
  filter: Filter<MongoDoc>;
  sort: Sort;
  limit: number | undefined;
}

export function toMongoFind(query: FindQuery): MongoFind | 'empty' {
  const { predicates, orderBy, limit }: NormalizedQuery = normalizeQuery(query);
  // The driver reads limit 0 as "no limit".
  if (limit === 0) return 'empty';
  const filter: Document = {};
  for (const predicate of predicates) {
    filter[predicate.field] = predicate.kind === 'eq' ? predicate.value : Object.fromEntries(predicate.bounds);
  }
  const sort: [string, 1 | -1][] = orderBy.map(({ field, direction }) => [field, direction === 'asc' ? 1 : -1]);
  // Ties break on the id so pages are stable, as the SQLite adapter does.
  if (!orderBy.some(({ field }) => field === '_id')) sort.push(['_id', 1]);
  return { filter: filter, sort, limit };
}
