import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditRetentionEnv } from './audit-retention';

const Env = z.object(AuditRetentionEnv);

describe('AUDIT_RETENTION_DAYS', () => {
  it('is 90 days unless set, and a whole number of days from 1 when set', () => {
    expect(Env.parse({})).toEqual({ AUDIT_RETENTION_DAYS: 90 });
    expect(Env.parse({ AUDIT_RETENTION_DAYS: '400' })).toEqual({ AUDIT_RETENTION_DAYS: 400 });
    for (const bad of ['0', '-5', '1.5', 'forever']) expect(Env.safeParse({ AUDIT_RETENTION_DAYS: bad }).success).toBe(false);
  });
});
