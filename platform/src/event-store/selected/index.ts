export { openSelectedEventStore } from './open-selected-event-store';
