import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pgliteForTest, postgresForTest, type TestDatabase } from '../../test/support/databases.ts';
import { createMemoryCheckpoint, type WaitingRoomCheckpoint } from './checkpoint.ts';
import type { PartitionCheckpoint } from './waiting-room.store.ts';
import { createPgCheckpoint } from './pg-checkpoint.ts';

const cp = (o: Partial<PartitionCheckpoint>): PartitionCheckpoint => ({
  partition: 0,
  cursor: 0,
  tail: 0,
  frozen: null,
  preRoom: 0,
  claimedTotal: 0,
  graceFloor: 0,
  savedAtMs: 0,
  ...o,
});

/** The checkpoint contract: what every adapter must do. */
function checkpointContract(
  name: string,
  open: () => Promise<{ checkpoint: WaitingRoomCheckpoint; close(): Promise<void> }>,
) {
  describe(`waiting-room checkpoint (${name})`, () => {
    it('returns null for a campaign never saved', async () => {
      const { checkpoint, close } = await open();
      assert.equal(await checkpoint.load('never'), null);
      await close();
    });

    it('never moves a counter backwards when a late write arrives', async () => {
      const { checkpoint, close } = await open();
      await checkpoint.save('c', [
        cp({
          partition: 0,
          cursor: 50,
          tail: 90,
          frozen: 10,
          preRoom: 10,
          claimedTotal: 40,
          graceFloor: 30,
          savedAtMs: 2000,
        }),
        cp({ partition: 1, cursor: 7, tail: 8 }),
      ]);
      await checkpoint.save('c', [
        cp({
          partition: 0,
          cursor: 45,
          tail: 80,
          frozen: 12,
          preRoom: 9,
          claimedTotal: 35,
          graceFloor: 20,
          savedAtMs: 1000,
        }),
      ]);
      assert.deepEqual(await checkpoint.load('c'), [
        cp({
          partition: 0,
          cursor: 50,
          tail: 90,
          frozen: 10,
          preRoom: 10,
          claimedTotal: 40,
          graceFloor: 30,
          savedAtMs: 2000,
        }),
        cp({ partition: 1, cursor: 7, tail: 8 }),
      ]);
      await close();
    });
  });
}

checkpointContract('memory', async () => ({ checkpoint: createMemoryCheckpoint(), close: async () => undefined }));
checkpointContract('PGlite', async () => {
  const db = await pgliteForTest();
  return { checkpoint: createPgCheckpoint(db.db), close: () => db.close() };
});
const pgDbs: TestDatabase[] = [];
after(async () => {
  for (const d of pgDbs) await d.close();
});
checkpointContract('Postgres', async () => {
  const db = (await postgresForTest(undefined))!;
  pgDbs.push(db);
  return { checkpoint: createPgCheckpoint(db.db), close: async () => undefined };
});
