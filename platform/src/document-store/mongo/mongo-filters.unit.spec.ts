import { describe, expect, it } from 'vitest';
import { toBulkOperation, toMongoFind } from './mongo-filters';

// The Mongo contract run needs Docker; this pins the translation itself everywhere.
describe('mongo translation', () => {
  it('turns a query into filter, sort with an _id tie-break, and limit', () => {
    expect(
      toMongoFind({
        where: { tenantId: 't', 'meta.ok': true, gone: null, start: { $gte: 'a', $lt: 'b' } },
        orderBy: [['start', 'desc']],
        limit: 5,
      }),
    ).toEqual({
      filter: { tenantId: 't', 'meta.ok': true, gone: null, start: { $gte: 'a', $lt: 'b' } },
      sort: [
        ['start', -1],
        ['_id', 1],
      ],
      limit: 5,
    });
    expect(toMongoFind({ orderBy: [['_id', 'desc']] })).toMatchObject({ sort: [['_id', -1]] });
    expect(toMongoFind({ limit: 0 })).toBe('empty');
  });

  it('maps write ops to bulk operations keyed by _id, without empty operators', () => {
    expect(toBulkOperation({ kind: 'put', collection: 'c', doc: { _id: 'a', n: 1 } })).toEqual({
      replaceOne: { filter: { _id: 'a' }, replacement: { _id: 'a', n: 1 }, upsert: true },
    });
    expect(
      toBulkOperation({ kind: 'update', collection: 'c', id: 'a', upsert: false, update: { $set: {}, $inc: { 'x.y': 1 } } }),
    ).toEqual({ updateOne: { filter: { _id: 'a' }, update: { $inc: { 'x.y': 1 } }, upsert: false } });
    expect(toBulkOperation({ kind: 'delete', collection: 'c', id: 'a' })).toEqual({ deleteOne: { filter: { _id: 'a' } } });
  });
});
