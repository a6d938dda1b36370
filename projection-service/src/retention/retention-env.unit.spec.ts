import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ReadModelRetentionEnv } from './read-model-retention';

const Env = z.object(ReadModelRetentionEnv);
const defaults = { AUDIT_RETENTION_DAYS: 90, CHALLENGE_RETENTION_MARGIN_MINUTES: 60 };

describe('AUDIT_RETENTION_DAYS', () => {
  it('is 90 days unless set, and a whole number of days from 1 when set', () => {
    expect(Env.parse({})).toEqual(defaults);
    expect(Env.parse({ AUDIT_RETENTION_DAYS: '400' })).toEqual({ ...defaults, AUDIT_RETENTION_DAYS: 400 });
    for (const bad of ['0', '-5', '1.5', 'forever']) expect(Env.safeParse({ AUDIT_RETENTION_DAYS: bad }).success).toBe(false);
  });
});

describe('CHALLENGE_RETENTION_MARGIN_MINUTES', () => {
  it('is 60 minutes unless set, and a whole number of minutes from 1 to a week when set', () => {
    expect(Env.parse({ CHALLENGE_RETENTION_MARGIN_MINUTES: '15' })).toEqual({ ...defaults, CHALLENGE_RETENTION_MARGIN_MINUTES: 15 });
    expect(Env.parse({ CHALLENGE_RETENTION_MARGIN_MINUTES: '10080' }).CHALLENGE_RETENTION_MARGIN_MINUTES).toBe(10_080);
    for (const bad of ['0', '10081', '2.5', 'an hour'])
      expect(Env.safeParse({ CHALLENGE_RETENTION_MARGIN_MINUTES: bad }).success).toBe(false);
  });
});
