import { expect } from 'vitest';
import { parseEvent, type DomainEvent } from '@otp/contracts';
import { specFor } from './given-when-then';
import type { Decider } from '../handling/decider';

// Test-only: a decider spec that also proves every given and emitted event is
// exactly what the store will accept, so a spec cannot pass with an event
// shape that strict schemas would reject at append or replay time.
function conforms(event: DomainEvent): void {
  expect(parseEvent(event.type, event.data)).toEqual(event);
}

export function contractCheckedSpecFor<C, S, E extends DomainEvent>(decider: Decider<C, S, E>) {
  return specFor<C, S, E>({
    initialState: decider.initialState,
    evolve: (state, event) => {
      conforms(event);
      return decider.evolve(state, event);
    },
    decide: (command, state) => {
      const events = decider.decide(command, state);
      events.forEach(conforms);
      return events;
    },
  });
}
