import type { EventOf } from '@otp/contracts';
import type { Decider } from '../handling/decider';
import { otpDecider, type OtpEvent, type OtpState, type RequestOtp, type VerifyOtp } from '../otp/otp-decider';

/** A code for a signup: the OTP request, and what the customer will be registered with once it verifies. */
export type RequestSignup = Omit<RequestOtp, 'type'> & {
  type: 'RequestSignup';
  companyName: string;
  plan: EventOf<'SignupRequested'>['data']['plan'];
};

export type SignupCommand = RequestSignup | VerifyOtp;
export type SignupEvent = OtpEvent | EventOf<'SignupRequested'>;

export type SignupApplication = Pick<EventOf<'SignupRequested'>['data'], 'companyName' | 'plan'>;

export interface SignupState {
  /** The email's codes, under exactly the rules an end user's are: the OTP decider's own state. */
  otp: OtpState;
  /** What each live challenge asked to register; kept only while the OTP state keeps the challenge. */
  applications: Readonly<Record<string, SignupApplication>>;
}

const initialState = (): SignupState => ({ otp: otpDecider.initialState(), applications: {} });

function evolve(state: SignupState, event: SignupEvent): SignupState {
  if (event.type !== 'SignupRequested') return { ...state, otp: otpDecider.evolve(state.otp, event) };
  const { challengeId, companyName, plan } = event.data;
  // Its OtpRequested came first and dropped the expired challenges: their applications go with them.
  const live = Object.entries(state.applications).filter(([id]) => Object.hasOwn(state.otp.challenges, id));
  return { ...state, applications: { ...Object.fromEntries(live), [challengeId]: { companyName, plan } } };
}

// The OTP decider decides every code (per-email request limit, expiry, attempts, the
// per-email guess budget); a signup only adds what to register to the code it sends.
function request(command: RequestSignup, state: SignupState): SignupEvent[] {
  const { companyName, plan, ...otp } = command;
  const decided: SignupEvent[] = otpDecider.decide({ ...otp, type: 'RequestOtp' }, state.otp);
  const requested = decided.find((e) => e.type === 'OtpRequested');
  if (!requested) return decided;
  const { challengeId, customerId, requestedAt } = requested.data;
  return [...decided, { type: 'SignupRequested', data: { challengeId, customerId, companyName, plan, requestedAt } }];
}

/** A signup's codes, on the stream `signup-<keyed hash of the email>`, folded by the OTP decider. */
export const signupDecider: Decider<SignupCommand, SignupState, SignupEvent> = {
  initialState,
  evolve,
  decide: (command, state) => {
    switch (command.type) {
      case 'RequestSignup':
        return request(command, state);
      case 'VerifyOtp':
        return otpDecider.decide(command, state.otp);
      default: {
        const unknown: never = command;
        return unknown;
      }
    }
  },
};
