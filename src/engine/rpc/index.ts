/** The one worker bridge: every worker is served with `serve` and reached with `connect` (docs/architecture.md). */
export { abortable } from './abortable';
export { connect, type Connection, type WorkerLike } from './connect';
export { Cancelled, RemoteError, WorkerCrashed, WorkerStopped } from './errors';
export { serve, type EventSender } from './serve';
export { withTransfer } from './transfer';
export type { CallContext, CallOptions, Remote } from './types';
