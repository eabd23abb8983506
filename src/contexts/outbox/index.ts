export { Dispatcher, type DispatcherOptions } from './dispatcher.js';
export { defaultMaxAttempts, enqueueJobs, replayJob } from './jobs.js';
export { findJob, type JobFilter, type JobView, listJobs, type OutboxStats, outboxStats, toJobView } from './queries.js';
export { routeBatchSize, routeEvents } from './router.js';
export { retryDelayMs, runDueJobs } from './runner.js';
export type {
  ClaimedJob,
  EventSubscriber,
  JobHandler,
  JobOutcome,
  NewJob,
  OutboxEvent,
  OutboxModule,
  RecordedOutcome,
  Ticker,
} from './types.js';
