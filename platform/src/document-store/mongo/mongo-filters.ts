import type { Document, Filter, Sort } from 'mongodb';
import type { FindQuery } from '../port';
import { normalizeQuery, type NormalizedQuery } from '../query';

export type MongoDoc = Document & { _id: string };

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
