import type { DomainEvent } from '@otp/contracts';
import { Refusal, type DeciderRefusalCode, type RefusalDetails } from './refusal';

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

/** A rule refused the command. Its code, one of the deciders' own, maps to an HTTP problem at the edge. */
export class DomainError extends Refusal {
  override readonly name = 'DomainError';
  declare readonly code: DeciderRefusalCode;
  constructor(code: DeciderRefusalCode, message: string, details: RefusalDetails = {}) {
    super(code, message, details);
  }
}
