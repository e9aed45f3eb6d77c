/**
 * The errors a worker call can end with. `Cancelled` is the app's one error for work the caller gave up on
 * (its AbortSignal fired), whichever worker or step it was in.
 */

/** The caller aborted. Named 'AbortError' like the DOM's own, so code that checks `err.name` keeps working. */
export class Cancelled extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'AbortError';
  }
}

/** The worker's method threw; the message is the worker's own, unchanged, so the UI can show it as it was. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly worker: string,
    readonly method: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** The worker failed outside any one call (an uncaught error, an unreadable message): every pending call ends with this. */
export class WorkerCrashed extends Error {
  constructor(
    readonly worker: string,
    why: string,
  ) {
    super(`the ${worker} worker crashed: ${why}`);
    this.name = 'WorkerCrashed';
  }
}

/** The page stopped the worker (terminate) while the call was pending. */
export class WorkerStopped extends Error {
  constructor(readonly worker: string) {
    super(`the ${worker} worker was stopped`);
    this.name = 'WorkerStopped';
  }
}
