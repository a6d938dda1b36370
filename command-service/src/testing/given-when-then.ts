import { expect } from 'vitest';
import type { DomainEvent } from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';

/**
 * given(events).when(command).then(events) | .thenRefuses(code): a decider
 * specification that runs the pure functions only.
 */
export function specFor<C, S, E extends DomainEvent>(decider: Decider<C, S, E>) {
  return (given: E[]) => ({
    when: (command: C) => {
      const run = () => decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: E[]) => expect(run()).toEqual(expected),
        thenNothing: () => expect(run()).toEqual([]),
        thenRefuses: (code: string, details?: Record<string, unknown>) => {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown, 'the decider should refuse').toBeInstanceOf(DomainError);
          expect((thrown as DomainError).code).toBe(code);
          if (details) expect((thrown as DomainError).details).toMatchObject(details);
        },
      };
    },
  });
}
