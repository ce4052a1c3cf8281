/**
 * The booking path spread over worker threads (booking-worker.ts), round robin, as production
 * spreads requests over processes. Each worker owns its Postgres pool and Redis connection.
 */
import { Worker } from 'node:worker_threads';
import type { BookingPath, Gate, PathReply, PathRequest } from './booking-path.ts';

export interface WorkerData {
  env: Record<string, string>;
  databaseUrl: string;
  schema: string;
  poolSize: number;
  campaignId: string;
  nowMs: number;
}

export type WorkerMessage =
  { type: 'call'; id: number; nowMs: number; gate: Gate; request: PathRequest } | { type: 'close' };

type FromWorker = { type: 'ready' } | { type: 'closed' } | { type: 'reply'; id: number; reply: PathReply };

const WORKER_ENTRY = new URL('./booking-worker-bootstrap.mjs', import.meta.url);

function once(w: Worker, type: FromWorker['type']): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      if (m.type === type) {
        w.off('message', onMessage);
        w.off('error', reject);
        resolve();
      }
    };
    w.on('message', onMessage);
    w.once('error', reject);
  });
}

export async function startBookingWorkers(count: number, data: WorkerData): Promise<BookingPath> {
  const pending = new Map<number, (r: PathReply) => void>();
  let failure: Error | null = null;
  const workers = await Promise.all(
    Array.from({ length: count }, async () => {
      const w = new Worker(WORKER_ENTRY, { workerData: data });
      w.on('message', (m: FromWorker) => {
        if (m.type === 'reply') {
          pending.get(m.id)?.(m.reply);
          pending.delete(m.id);
        }
      });
      w.on('error', (e) => {
        failure ??= e;
        for (const [, settle] of pending) settle({ status: 500, ms: 0, error: `booking worker failed: ${e.message}` });
        pending.clear();
      });
      await once(w, 'ready');
      return w;
    }),
  );
  let seq = 0;
  return {
    call(nowMs, gate, request) {
      if (failure)
        return Promise.resolve({ status: 500, ms: 0, error: `booking worker failed: ${(failure as Error).message}` });
      const id = (seq += 1);
      return new Promise<PathReply>((resolve) => {
        pending.set(id, resolve);
        workers[id % workers.length]!.postMessage({ type: 'call', id, nowMs, gate, request } satisfies WorkerMessage);
      });
    },
    async close() {
      await Promise.all(
        workers.map(async (w) => {
          const closed = once(w, 'closed').catch(() => undefined);
          w.postMessage({ type: 'close' } satisfies WorkerMessage);
          await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
          await w.terminate();
        }),
      );
    },
  };
}
