/**
 * The call-centre agents' vocabulary and port (issue 15, item 4). An agent verifies a caller
 * through the identity-provider port, admits them through the campaign's phone lane
 * (src/waiting-room/agent-lane.ts) and books, changes and cancels for them through the booking
 * service. The lane admission is the agent record `npm run audit` accepts in place of a queue
 * admission; every action is an audit entry with actor kind 'agent'.
 */
import type { Result } from '../platform/result.ts';
import type { AgentLaneQuota, LaneAllowance, LaneRefusal } from '../waiting-room/agent-lane.ts';

export interface AgentAdmission {
  readonly admissionId: string;
  readonly campaignId: string;
  readonly agent: string;
  readonly identityHash: string;
  readonly verificationProvider: string;
  readonly verifiedAtMs: number;
  readonly admittedAtMs: number;
  readonly expiresAtMs: number;
}

export interface StoredLaneQuota extends AgentLaneQuota {
  readonly setBy: string;
  readonly setAtMs: number;
}

/** Where the lane's quota and admissions are kept (agent-lane.repository.ts over Kysely). */
export interface AgentLaneStore {
  quotaOf(campaignId: string): Promise<StoredLaneQuota | null>;
  setQuota(campaignId: string, quota: AgentLaneQuota, by: string, atMs: number): Promise<void>;
  /** This caller's lane admission for the campaign that is unexpired and not yet used by a booking. */
  openAdmissionOf(campaignId: string, identityHash: string, nowMs: number): Promise<AgentAdmission | undefined>;
  /** Lane admissions of the campaign admitted after `sinceMs`. */
  countSince(campaignId: string, sinceMs: number): Promise<number>;
  /** The ids and instants of the campaign's lane admissions admitted after `sinceMs`. */
  admittedSince(campaignId: string, sinceMs: number): Promise<{ admissionId: string; admittedAtMs: number }[]>;
  /**
   * Atomically (one campaign at a time, across processes): count the window's admissions, ask
   * `decide`, and record `admission` if it allows. A full lane is answered with the instant the
   * `mustLeave`-th oldest admission in the window was made.
   */
  admitIfAllowed(
    admission: AgentAdmission,
    windowMs: number,
    decide: (usedInWindow: number) => Result<LaneAllowance, LaneRefusal>,
  ): Promise<Result<AgentAdmission, LaneRefusal>>;
}
