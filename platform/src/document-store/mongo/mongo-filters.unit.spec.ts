import { describe, expect, it } from 'vitest';
import { toMongoFind } from './mongo-filters';

// The Mongo contract run needs a server; this pins the translation itself everywhere.
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
});
