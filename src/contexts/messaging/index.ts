export { appendEvents, type DomainEvent, type EventView, toEventView } from './events.js';
