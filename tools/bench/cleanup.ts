/**
 * Everything the bench starts or creates registers how to undo it here; `runAll` undoes it in
 * reverse order exactly once, on success, on failure, on Ctrl-C/SIGTERM, and when the run's time
 * budget is spent. Each undo step is bounded in time, so cleaning up can never hang the bench.
 */
import { setMaxListeners } from 'node:events';

const STEP_TIMEOUT_MS = 30_000;

export interface Cleanup {
  /** Registers an undo step; returns a function that runs it early (and unregisters it). */
  defer(what: string, undo: () => Promise<unknown> | unknown): () => Promise<void>;
  runAll(): Promise<void>;
  /** Aborted when a signal or the time budget asks the run to stop. */
  readonly signal: AbortSignal;
}

export function createCleanup(o: { budgetMs: number; log: (line: string) => void }): Cleanup {
  const steps: { what: string; undo: () => Promise<unknown> | unknown; done: boolean }[] = [];
  const abort = new AbortController();
  // Thousands of simulated people sleep on this one signal at once.
  setMaxListeners(0, abort.signal);
  let running: Promise<void> | null = null;

  async function runStep(step: (typeof steps)[number]) {
    if (step.done) return;
    step.done = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(step.undo),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), STEP_TIMEOUT_MS);
        }),
      ]);
    } catch (e) {
      o.log(`cleanup: ${step.what} failed: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  const runAll = () => {
    running ??= (async () => {
      for (const step of [...steps].reverse()) await runStep(step);
    })();
    return running;
  };

  const stop = (why: string) => {
    if (abort.signal.aborted) return;
    o.log(`\nbench: ${why}; stopping and cleaning up…`);
    abort.abort(new Error(why));
  };
  const onSignal = (sig: NodeJS.Signals) => {
    stop(`received ${sig}`);
    // Clean up, then leave with the conventional status; a second signal is not needed.
    void runAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const budget = setTimeout(() => stop(`time budget of ${Math.round(o.budgetMs / 1000)} s spent`), o.budgetMs);
  budget.unref();

  return {
    defer(what, undo) {
      const step = { what, undo, done: false };
      steps.push(step);
      return () => runStep(step);
    },
    runAll,
    signal: abort.signal,
  };
}

/** Throws the abort reason if the run was asked to stop (call between steps of long loops). */
export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('stopped');
}

/** Sleeps `ms`, waking early (and throwing) if the run is stopped. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
