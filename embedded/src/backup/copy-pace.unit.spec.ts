import { describe, expect, it } from 'vitest';
import { CopyPace } from './copy-pace';

describe('the pace of an online backup', () => {
  it('steps through an unchanged database, reporting progress', () => {
    const pace = new CopyPace(100);
    expect(pace.next(250, 250)).toEqual({ pages: 100, event: { kind: 'start', totalPages: 250 } });
    expect(pace.next(250, 150)).toEqual({ pages: 100, event: { kind: 'progress', copiedPages: 100, totalPages: 250 } });
    expect(pace.next(250, 50)).toEqual({ pages: 100, event: { kind: 'progress', copiedPages: 200, totalPages: 250 } });
  });

  it('finishes in one step once a write restarted the copy', () => {
    const pace = new CopyPace(100);
    pace.next(250, 250);
    pace.next(250, 150);
    expect(pace.next(251, 151)).toEqual({ pages: 0x7fffffff, event: { kind: 'restarted', totalPages: 251 } });
    expect(pace.next(251, 0).pages).toBe(0x7fffffff);
  });
});
