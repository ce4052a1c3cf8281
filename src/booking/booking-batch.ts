/**
 * Batching of concurrent calls: calls made in one turn of the event loop, or while `maxInFlight`
 * batches are already running, go out together (at most `maxSize` per batch) — at the end of that
 * turn (setImmediate), or as soon as a running batch finishes. No timer: a call made while the path
 * is idle waits only for the rest of its turn (alone, if it is the only one), so an idle path never
 * waits for stragglers; under load the batches grow by themselves to what arrived during one round
 * trip. Calls arrive in bursts (the rows the bookings read before their writes come back in one
 * batched read, and all their writes are made in that turn): sent at once, the first of a burst
 * went out alone and the rest waited behind it, so a quarter of the statements were writes of one
 * booking (the bench's peak phase, counted per process).
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
  let isPumpDue = false;

  /** Sends what is queued at the end of this turn, with whatever else the turn adds. */
  function pumpAfterTurn(): void {
    if (isPumpDue) return;
    isPumpDue = true;
    setImmediate(() => {
      isPumpDue = false;
      pump();
    });
  }

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
      pumpAfterTurn();
    });
}
