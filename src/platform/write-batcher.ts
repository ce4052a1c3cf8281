/**
 * Group commit for concurrent writes: a write that arrives while `maxInFlight` batches are already
 * at the database waits, and everything that waited goes together as the next batch (at most
 * `maxBatch` items). Nothing waits on a timer: alone, a write goes at once, by itself; under load
 * batches grow to what arrives during one round trip. `run` answers each item in order; if it
 * throws, every item of that batch is rejected with the error.
 */
export function createWriteBatcher<I, O>(o: {
  run: (items: readonly I[]) => Promise<readonly O[]>;
  maxBatch: number;
  maxInFlight: number;
}) {
  const waiting: { item: I; resolve: (v: O) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = 0;

  function dispatch(): void {
    while (inFlight < o.maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, o.maxBatch);
      inFlight += 1;
      o.run(batch.map((w) => w.item))
        .then(
          (outs) => {
            batch.forEach((w, i) =>
              i < outs.length ? w.resolve(outs[i]!) : w.reject(new Error('write batch answered too few items')),
            );
          },
          (e: unknown) => batch.forEach((w) => w.reject(e)),
        )
        .finally(() => {
          inFlight -= 1;
          dispatch();
        });
    }
  }

  return {
    write(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        dispatch();
      });
    },
    /** Writes waiting for a free slot (for metrics and tests). */
    get waiting() {
      return waiting.length;
    },
  };
}
