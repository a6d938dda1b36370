import { describe, it } from 'vitest';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { userDecider, type RecordLogin, type UpdateProfile, type UserEvent } from './user-decider';

const given = contractCheckedSpecFor(userDecider);
const userId = 'usr_00000000000000b1';
const customerId = 'cus_00000000000000a1';
const challengeId = 'chl_00000000000000c1';
const session = (n: number) => `ses_${n.toString(16).padStart(16, '0')}`;
const now = new Date('2025-03-01T12:00:00.000Z');
const earlier = '2025-02-01T08:00:00.000Z';

const login = (n: number): RecordLogin => ({
  type: 'RecordLogin',
  userId,
  customerId,
  email: 'ada@example.test',
  emailKey: 'ek-ada',
  sessionId: session(n),
  challengeId,
  now,
});
const created: UserEvent = {
  type: 'UserCreated',
  data: { userId, customerId, email: 'ada@example.test', emailKey: 'ek-ada', createdAt: earlier },
};
const loggedIn = (n: number, at = earlier): UserEvent => ({
  type: 'UserLoggedIn',
  data: { userId, sessionId: session(n), challengeId, loggedInAt: at },
});

describe('RecordLogin', () => {
  // Also the healing path: whatever OtpVerified.newUser said, an empty user
  // stream (its write lost after the verification) creates the user now.
  it('creates the user on a first login', () =>
    given([])
      .when(login(1))
      .then([
        {
          type: 'UserCreated',
          data: { userId, customerId, email: 'ada@example.test', emailKey: 'ek-ada', createdAt: now.toISOString() },
        },
        loggedIn(1, now.toISOString()),
      ]));

  it('only records the login of an existing user', () =>
    given([created, loggedIn(1)])
      .when(login(2))
      .then([loggedIn(2, now.toISOString())]));

  it('records nothing when the same session was just recorded (a retried command)', () =>
    given([created, loggedIn(1)])
      .when(login(1))
      .thenNothing());

  it('records a later login again with a session seen before the last one', () =>
    given([created, loggedIn(1), loggedIn(2)])
      .when(login(1))
      .then([loggedIn(1, now.toISOString())]));
});

describe('UpdateProfile', () => {
  type Change = Pick<UpdateProfile, 'name' | 'metadata'>;
  const update = (change: Change): UpdateProfile => ({ type: 'UpdateProfile', userId, ...change, now });
  const updated = (change: Change, at = now.toISOString()): UserEvent => ({
    type: 'UserProfileUpdated',
    data: { userId, ...change, updatedAt: at },
  });

  it('records a new name and metadata', () =>
    given([created, loggedIn(1)])
      .when(update({ name: 'Ada', metadata: { plan: 'gold', seats: 3 } }))
      .then([updated({ name: 'Ada', metadata: { plan: 'gold', seats: 3 } })]));

  it('records only what changed', () =>
    given([created, updated({ name: 'Ada', metadata: { plan: 'gold' } }, earlier)])
      .when(update({ name: 'Ada', metadata: { plan: 'silver' } }))
      .then([updated({ metadata: { plan: 'silver' } })]));

  it('records nothing when nothing changes (a retried request)', () =>
    given([created, updated({ name: 'Ada', metadata: { plan: 'gold' } }, earlier)])
      .when(update({ name: 'Ada', metadata: { plan: 'gold' } }))
      .thenNothing());

  it('refuses a user that does not exist', () =>
    given([])
      .when(update({ name: 'Ada' }))
      .thenRefuses('user_not_found', { userId }));
});
