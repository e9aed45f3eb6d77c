/**
 * Ctrl-C during a long run: the first one lets the current batch finish and the outputs close properly (the
 * .npy is written), the second quits at once (the next run still resumes, losing at most that batch).
 * The `tsx` CLI (npm run) kills its child when it does not acknowledge a signal within 30 ms, and onnxruntime-node
 * holds the event loop for a whole batch, so there Ctrl-C usually acts as a hard kill; `node --import tsx` does not.
 */
export interface StopSignal {
  requested(): boolean;
  dispose(): void;
}

export function stopOnInterrupt(log: (line: string) => void): StopSignal {
  let stop = false;
  const handler = (): void => {
    if (stop) process.exit(130);
    stop = true;
    log('\nstopping after the current batch (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', handler);
  return {
    requested: () => stop,
    dispose: () => {
      process.off('SIGINT', handler);
    },
  };
}
