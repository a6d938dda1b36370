import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { FindQuery } from '../port';
import { findSql } from './find-sql';
import { openSqliteDocumentStore } from './index';

// The audit trail's keyset reads (query-service/src/views/audit-page.ts), both ways.
const AUDIT_INDEX = ['tenantId', 'occurredAt', 'seq', '_id'];

const dir = mkdtempSync(join(tmpdir(), 'otp-docstore-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// SQLite uses an expression index only when the query spells the expression
// exactly as the index does; this guards that the two stay in step.
describe('sqlite document store query plans', () => {
  it.each<[string, string[], FindQuery]>([
    [
      'usage',
      ['tenantId', 'granularity', 'start'],
      { where: { tenantId: 't', granularity: 'hour', start: { $gte: 'a', $lt: 'b' } }, orderBy: [['start', 'asc']], limit: 10 },
    ],
    // The service lookup by email (query-service/src/http/service-routes.ts): the matches, never the collection.
    ['customers', ['email', 'id'], { where: { email: 'ada@example.com' }, orderBy: [['id', 'asc']], limit: 100 }],
    // The expired challenges' retention (projection-service/src/retention/challenge-retention.ts): a batch, never a scan of the open ones.
    ['usageChallenges', ['expiresAt'], { where: { expiresAt: { $lt: 'b' } }, orderBy: [['expiresAt', 'asc']], limit: 500 }],
    ...(['asc', 'desc'] as const).flatMap((dir): [string, string[], FindQuery][] => [
      [
        'audit',
        AUDIT_INDEX,
        {
          where: { tenantId: 't', type: 'x', occurredAt: { $gt: 'a', $lt: 'b' } },
          orderBy: [
            ['occurredAt', dir],
            ['seq', dir],
            ['_id', dir],
          ],
          limit: 10,
        },
      ],
      [
        'audit',
        AUDIT_INDEX,
        {
          where: { tenantId: 't', occurredAt: 'a', seq: { $gt: 5 } },
          orderBy: [
            ['seq', dir],
            ['_id', dir],
          ],
          limit: 10,
        },
      ],
    ]),
  ])('%s queries search the declared index without sorting', async (collection, fields, query) => {
    const file = join(dir, `${collection}-${randomUUID()}.sqlite`);
    const store = openSqliteDocumentStore({ file });
    await store.ensureIndex(collection, fields);
    const built = findSql(collection, query);
    if (built === 'empty') throw new Error('expected a query');
    const db = new Database(file, { readonly: true });
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${built.sql}`).all(...built.params) as { detail: string }[]).map((row) => row.detail);
      expect(plan.join('\n')).toContain(`USING INDEX rm_${collection}(${fields.join(',')})`);
      expect(plan.join('\n')).not.toContain('TEMP B-TREE');
    } finally {
      db.close();
      await store.close();
    }
  });
});
