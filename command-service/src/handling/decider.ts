import type { DomainEvent } from '@otp/contracts';
import { Refusal } from './refusal';

/**
 * A decider holds one aggregate's rules as pure functions: no clock, no random
 * generator, no I/O. Time and generated ids arrive inside the command.
 */
export interface Decider<Command, State, Event extends DomainEvent = DomainEvent> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  /** Returns the events that record the decision, or throws a DomainError refusing it. An empty array decides nothing. */
  decide: (command: Command, state: State) => Event[];
}

/** A rule refused the command. Its code (a RefusalCode) maps to an HTTP problem at the edge. */
export class DomainError extends Refusal {
  override readonly name = 'DomainError';
}
