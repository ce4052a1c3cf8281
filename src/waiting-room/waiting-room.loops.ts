/**
 * The waiting room's timers for one process: every process re-syncs its rooms (every 5 s) and
 * refreshes the snapshot polls are answered from (every second); the admission leader alone runs
 * the admission ticks, so two processes never double the admission rate (see leader-lease.ts),
 * and writes the checkpoint (every second, on a timer of its own so Postgres never holds up a tick).
 */
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import type { BookingHealth } from './admission-controller.ts';
import type { LeaderLease } from './leader-lease.ts';
import { defaultWaitingRoomSettings } from './room.ts';
import type { RoomSync } from './room-sync.ts';
import type { WaitingRoomService } from './waiting-room.service.ts';

export interface WaitingRoomLoops {
  /** Starts the loops; returns a stop function. */
  start(health: () => BookingHealth, log: Logger): () => Promise<void>;
  /** Whether this process held the admission lease at its last tick. */
  isLeading(): boolean;
}

export function createWaitingRoomLoops(o: {
  clock: Clock;
  service: WaitingRoomService;
  rooms: RoomSync;
  /** A lease per start (its holder id is new each time); null: this process never runs admission ticks (ADMISSION_LEADER off). */
  newLease: (() => LeaderLease) | null;
  tickMs: number;
  /** "Text me when it is my turn": the leader's rounds (turn-notice.service.ts), every `everyMs`. */
  turnNotices?: { runOnce(campaignId: string): Promise<number>; everyMs: number };
}): WaitingRoomLoops {
  let isLeading = false;

  function start(health: () => BookingHealth, log: Logger) {
    // A run that is still going when its next one is due is not overlapped: that run is skipped.
    const every = (ms: number, f: () => Promise<unknown>) => {
      let running = false;
      return setInterval(() => {
        if (running) return;
        running = true;
        f()
          .catch((e) => log.error({ err: e }, 'waiting-room loop failed'))
          .finally(() => {
            running = false;
          });
      }, ms);
    };
    // Separate timers: opening rooms reads campaigns from Postgres, and a locked database must
    // not hold up the snapshot refresh that polls are answered from.
    const timers = [every(1_000, () => o.service.refreshSnapshot()), every(5_000, () => o.rooms.syncRooms())];
    if (o.newLease) {
      const lease = o.newLease();
      timers.push(
        every(o.tickMs, async () => {
          try {
            isLeading = await lease.tryHold();
          } catch (e) {
            isLeading = false;
            throw e;
          }
          if (!isLeading) return;
          for (const id of o.rooms.opened) await o.service.tick(id, health());
        }),
      );
      // Its own timer too: writing messages to the outbox (Postgres) never holds up a tick.
      const notices = o.turnNotices;
      if (notices)
        timers.push(
          every(notices.everyMs, async () => {
            if (!isLeading) return;
            for (const id of o.rooms.opened) await notices.runOnce(id);
          }),
        );
      // Its own timer: a checkpoint write waiting on a locked database never holds up a tick.
      timers.push(
        every(defaultWaitingRoomSettings.checkpointEveryMs, async () => {
          if (!isLeading) return;
          for (const id of o.rooms.opened) await o.service.writeCheckpoint(id);
        }),
      );
    }
    return async () => {
      for (const t of timers) clearInterval(t);
      isLeading = false;
    };
  }

  return { start, isLeading: () => isLeading };
}
