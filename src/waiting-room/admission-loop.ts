/**
 * The periodic side of the waiting room, driven by timers in the wiring (never here):
 * - `refreshSnapshot()` about once a second on EVERY server: re-reads the counters polls are answered from.
 * - `tick(campaignId, health)` several times a second on ONE server (the admission leader): asks the
 *   controller how many to admit, advances the partitions' cursors in proportion to what each holds,
 *   and ends expired admissions. It never touches the checkpoint (Postgres): a locked or hung
 *   database must not stall admission.
 * - `writeCheckpoint(campaignId)` about once a second on the leader, on a timer of its own.
 * - operator controls: pause, resume, pin the rate, read the room's state.
 */
import { err, ok, type Result } from '../platform/result.ts';
import type { BookingHealth, ControllerState, TickDecision } from './admission-controller.ts';
import type { PartitionCheckpoint } from './waiting-room.store.ts';
import { allocateAdvance } from './partition.ts';
import {
  checkpointRoom,
  instant,
  partitionStats,
  refOf,
  refreshRoom,
  seatsLeftNow,
  withRecovery,
  type Room,
  type RoomContext,
} from './room.ts';
import type { RoomSnapshot } from './snapshot.ts';
import type { AdmissionSettings, SeatCount } from './admission-settings.ts';

export interface TickReport {
  readonly isOpen: boolean;
  readonly decision: TickDecision | null;
  /** Seqs the cursors actually moved over, all partitions. */
  readonly advanced: number;
  readonly admissionsExpired: number;
}

export interface RoomStatus {
  readonly opensAtMs: number;
  readonly partitions: number;
  readonly snapshot: RoomSnapshot | null;
  readonly controller: ControllerState;
  /** The operator's planned rate and message, as last read from the store. */
  readonly admission: AdmissionSettings | null;
  /** Seats left as last read (null: not limited by seats, or not read yet). */
  readonly seats: SeatCount | null;
}

type Unknown = 'unknown-campaign';

export interface AdmissionLoop {
  tick(campaignId: string, health: BookingHealth): Promise<Result<TickReport, Unknown>>;
  /** Refresh one room's snapshot, or every room's. */
  refreshSnapshot(campaignId?: string): Promise<void>;
  writeCheckpoint(campaignId: string): Promise<Result<readonly PartitionCheckpoint[], Unknown>>;
  pause(campaignId: string): Result<ControllerState, Unknown>;
  resume(campaignId: string): Result<ControllerState, Unknown>;
  /** Admissions per second, or null to let the controller adapt again. */
  pinRate(campaignId: string, ratePerSec: number | null): Result<ControllerState, Unknown>;
  roomStatus(campaignId: string): Result<RoomStatus, Unknown>;
  /**
   * Callers admitted through the phone lane (agent-lane.ts): the next tick takes them off the
   * queue's allowance. Called where the lane admission is recorded, and by the leader's feed of
   * lane admissions made in other processes.
   */
  noteLaneAdmissions(campaignId: string, count: number): Result<void, Unknown>;
}

export function createAdmissionLoop(ctx: RoomContext, rooms: Map<string, Room>): AdmissionLoop {
  async function advanceAll(room: Room, count: number, waiting: number[]): Promise<number> {
    const { counts, carry } = allocateAdvance(count, waiting, room.carry);
    room.carry = carry;
    let advanced = 0;
    for (let p = 0; p < counts.length; p += 1) {
      if (counts[p] === 0) continue;
      const req = { count: counts[p]!, graceMs: ctx.settings.graceMs };
      const r = await withRecovery(ctx, room, () => ctx.store.advanceCursor(refOf(room, p), req, instant(ctx, room)));
      if (r.ok) advanced += r.value.advanced;
    }
    return advanced;
  }

  async function expireAll(room: Room): Promise<number> {
    let expired = 0;
    for (let p = 0; p < room.cfg.partitions; p += 1) {
      const req = { limit: ctx.settings.expireBatch };
      const r = await withRecovery(ctx, room, () =>
        ctx.store.expireAdmissions(refOf(room, p), req, instant(ctx, room)),
      );
      if (r.ok) expired += r.value;
    }
    return expired;
  }

  const withRoom = <T>(campaignId: string, f: (room: Room) => T): Result<T, Unknown> => {
    const room = rooms.get(campaignId);
    return room ? ok(f(room)) : err('unknown-campaign');
  };

  return {
    async tick(campaignId, health) {
      const room = rooms.get(campaignId);
      if (!room) return err('unknown-campaign');
      if (ctx.clock.nowMs() < room.cfg.opensAtMs)
        return ok({ isOpen: false, decision: null, advanced: 0, admissionsExpired: 0 });
      const stats = await partitionStats(ctx, room);
      const waiting = stats.map((s) => s.tail - s.cursor);
      const activeSessions = stats.reduce((n, s) => n + s.activeSessions, 0);
      const claimedTotal = stats.reduce((n, s) => n + s.claimedTotal, 0);
      const decision = room.controller.tick({
        activeSessions,
        claimedTotal,
        waiting: waiting.reduce((a, b) => a + b, 0),
        health,
        seatsLeft: seatsLeftNow(room, activeSessions, claimedTotal),
        laneAdmitted: room.laneAdmittedPending,
      });
      room.laneAdmittedPending = 0;
      const advanced = decision.admit > 0 ? await advanceAll(room, decision.admit, waiting) : 0;
      room.controller.settle(advanced);
      const admissionsExpired = await expireAll(room);
      return ok({ isOpen: true, decision, advanced, admissionsExpired });
    },

    async refreshSnapshot(campaignId) {
      const targets =
        campaignId === undefined ? [...rooms.values()] : [rooms.get(campaignId)].filter((r): r is Room => !!r);
      for (const room of targets) await refreshRoom(ctx, room);
    },

    async writeCheckpoint(campaignId) {
      const room = rooms.get(campaignId);
      if (!room) return err('unknown-campaign');
      return ok(await checkpointRoom(ctx, room));
    },

    pause: (id) =>
      withRoom(id, (room) => {
        room.controller.pause();
        return room.controller.state();
      }),
    resume: (id) =>
      withRoom(id, (room) => {
        room.controller.resume();
        return room.controller.state();
      }),
    pinRate: (id, rate) =>
      withRoom(id, (room) => {
        room.controller.pinRate(rate);
        return room.controller.state();
      }),
    noteLaneAdmissions: (id, count) =>
      withRoom(id, (room) => {
        room.laneAdmittedPending += Math.max(0, count);
      }),
    roomStatus: (id) =>
      withRoom(id, (room) => ({
        opensAtMs: room.cfg.opensAtMs,
        partitions: room.cfg.partitions,
        snapshot: room.snapshot,
        controller: room.controller.state(),
        admission: room.admission,
        seats: room.seats && { seatsLeft: room.seats.seatsLeft, nextSeatsAtMs: room.seats.nextSeatsAtMs },
      })),
  };
}
