/**
 * Batching of concurrent calls: calls that arrive while `maxInFlight` batches are already running
 * wait, and go out together (at most `maxSize` per batch) as soon as one of those finishes. No
 * timer: a call made while fewer than `maxInFlight` batches run goes out at once (alone, if it is
 * the only one), so an idle path never waits for stragglers; under load the batches grow by
 * themselves to what arrived during one round trip.
 */
export interface BatchSettings {
  /** Calls per batch, at most (≥ 1). */
  maxSize: number;
  /** Batches running at once, at most (≥ 1). */
  maxInFlight: number;
}

export interface BatchRunners<I, O> {
  /** One call alone (a batch of one). */
  runOne(item: I): Promise<O>;
  /**
   * Two or more calls together. Resolves, once the batch is done, with each call's own outcome (a
   * promise, so one call may still fail alone); rejects when the batch as a whole failed, and then
   * every call of the batch is rejected with that error.
   */
  runMany(items: readonly I[]): Promise<Array<Promise<O>>>;
  /** Told the size of each batch as it goes out (metrics, tests). */
  onBatch?: (size: number) => void;
}

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export function createBatcher<I, O>(settings: BatchSettings, run: BatchRunners<I, O>): (item: I) => Promise<O> {
  const maxSize = Math.max(1, Math.floor(settings.maxSize));
  const maxInFlight = Math.max(1, Math.floor(settings.maxInFlight));
  const queue: Waiting<I, O>[] = [];
  let inFlight = 0;

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxSize);
      inFlight++;
      run.onBatch?.(batch.length);
      void send(batch).then((settle) => {
        // The batch's place is free (and the next batch on its way) before its callers go on.
        inFlight--;
        pump();
        settle();
      });
    }
  }

  /** Runs a batch; resolves, never rejects, with what settles its callers. */
  async function send(batch: Waiting<I, O>[]): Promise<() => void> {
    if (batch.length === 1) {
      const [one] = batch as [Waiting<I, O>];
      return run.runOne(one.item).then(
        (o) => () => one.resolve(o),
        (e: unknown) => () => one.reject(e),
      );
    }
    let outcomes: Array<Promise<O>>;
    try {
      outcomes = await run.runMany(batch.map((w) => w.item));
    } catch (e) {
      return () => {
        for (const w of batch) w.reject(e);
      };
    }
    // Each call's own outcome settles on its own (a call run again alone settles later).
    return () =>
      batch.forEach((w, k) => {
        const outcome = outcomes[k] ?? Promise.reject(new Error(`batch returned no outcome for call ${k + 1}`));
        outcome.then(w.resolve, w.reject);
      });
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
