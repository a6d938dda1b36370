export { createEventRelay, type EventRelay, type EventRelayOptions, type RelayState, type RelayStatus } from './event-relay';
export { RELAY_CHECKPOINT, RELAY_TOPIC, RELAY_VERSION, toRelayMessage, type RelayedEvent } from './relayed-event';
