/**
 * The phone lane: call-centre agents admit callers to a campaign through a lane of their own, not
 * through the queue (a caller cannot hold a place on a phone call) and not around it. Pure: the
 * caller passes the clock's time, the room's state and the lane's recent admissions.
 *
 * Neither jumping nor starving: the operator gives the lane a share of the campaign's admission
 * rate (`sharePercent`). Over any `windowMs` the lane admits at most share × rate × window (at
 * least one while the share and the rate are above zero, so a slow campaign still takes calls);
 * and each lane admission is taken off the queue's own allowance by the admission controller
 * (TickInput.laneAdmitted), so queue and lane together admit at the campaign's rate. A paused
 * campaign pauses the lane; before the opening instant the lane is shut like the queue.
 */
import { err, ok, type Result } from '../platform/result.ts';

export interface AgentLaneQuota {
  /** Share of the campaign's admission rate the phone lane may use, 0..MAX_LANE_SHARE_PERCENT. 0 closes the lane. */
  readonly sharePercent: number;
}

/** A lane larger than half the rate would be a second front door, not a lane beside the queue. */
export const MAX_LANE_SHARE_PERCENT = 50;
/** Lane admissions are counted over this sliding window (ms). */
export const LANE_WINDOW_MS = 60_000;

export interface LaneRoomState {
  /** The campaign's opening instant by server time (epoch ms). */
  readonly opensAtMs: number;
  readonly isPaused: boolean;
  /** The admission rate the controller runs at now (admissions/s). */
  readonly ratePerSec: number;
}

export type LaneRefusal = 'lane-closed' | 'lane-not-open' | 'lane-paused' | 'lane-full';

export interface LaneDecisionInput {
  readonly quota: AgentLaneQuota | null;
  readonly room: LaneRoomState;
  /** Lane admissions of this campaign within the window ending now. */
  readonly usedInWindow: number;
  readonly nowMs: number;
  readonly windowMs?: number;
}

export interface LaneAllowance {
  /** Lane admissions allowed per window at the current rate. */
  readonly perWindow: number;
  /** Admitted within the window ending now. */
  readonly usedInWindow: number;
  readonly windowMs: number;
}

/** How many lane admissions a window may hold at this rate and share. */
export function lanePerWindow(quota: AgentLaneQuota | null, ratePerSec: number, windowMs = LANE_WINDOW_MS): number {
  if (!quota || quota.sharePercent <= 0 || ratePerSec <= 0) return 0;
  const share = Math.min(quota.sharePercent, MAX_LANE_SHARE_PERCENT) / 100;
  return Math.max(1, Math.floor((share * ratePerSec * windowMs) / 1000));
}

/** The lane's allowance now, for the console and the agent page. */
export function laneAllowance(i: LaneDecisionInput): LaneAllowance {
  const windowMs = i.windowMs ?? LANE_WINDOW_MS;
  return {
    perWindow: i.room.isPaused ? 0 : lanePerWindow(i.quota, i.room.ratePerSec, windowMs),
    usedInWindow: i.usedInWindow,
    windowMs,
  };
}

/**
 * May one more caller be admitted through the lane now? A full lane reports `mustLeave`: how many
 * of the window's oldest admissions must leave it before one more fits (the rate may have dropped
 * since they were admitted); `laneRetryAfterMs` turns the instant of the last of them into a wait.
 */
export function decideLaneAdmission(i: LaneDecisionInput): Result<LaneAllowance, LaneRefusal> {
  if (!i.quota || i.quota.sharePercent <= 0) return err('lane-closed');
  if (i.nowMs < i.room.opensAtMs) return err('lane-not-open', { opensAtMs: i.room.opensAtMs });
  if (i.room.isPaused) return err('lane-paused');
  const a = laneAllowance(i);
  if (a.usedInWindow < a.perWindow) return ok(a);
  return err('lane-full', { mustLeave: a.usedInWindow - a.perWindow + 1, ...a });
}

/** Until the admission made at `admittedAtMs` leaves the window (at least 1 ms). */
export function laneRetryAfterMs(admittedAtMs: number, nowMs: number, windowMs = LANE_WINDOW_MS): number {
  return Math.max(1, admittedAtMs + windowMs - nowMs);
}
