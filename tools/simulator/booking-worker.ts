/**
 * A worker thread serving booking-path requests (see booking-path.ts): its own composition of the
 * production services over the run's Postgres schema and Redis prefix, with the run's secrets, on
 * a clock the simulator sets with every request (all requests in flight belong to one step).
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { composeServices } from '../../src/app/compose.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { openDatabase } from '../../src/platform/db.ts';
import { handlePathRequest } from './booking-path.ts';
import type { WorkerData, WorkerMessage } from './booking-workers.ts';

const data = workerData as WorkerData;
const port = parentPort!;
const clock = fixedClock(data.nowMs);
const database = await openDatabase({
  databaseUrl: data.databaseUrl,
  pgliteDir: null,
  schema: data.schema,
  poolSize: data.poolSize,
});
const services = composeServices({
  config: loadConfig(data.env),
  clock,
  logger: pino({ level: 'silent' }),
  database,
  channel: { send: async () => {} },
});
await services.waitingRoom.syncRooms();

port.on('message', (m: WorkerMessage) => {
  if (m.type === 'close') {
    void Promise.all([services.waitingRoom.close(), database.close()]).finally(() =>
      port.postMessage({ type: 'closed' }),
    );
    return;
  }
  clock.set(m.nowMs);
  void handlePathRequest(services, data.campaignId, m.gate, m.request).then((reply) =>
    port.postMessage({ type: 'reply', id: m.id, reply }),
  );
});
port.postMessage({ type: 'ready' });
