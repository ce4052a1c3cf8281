/**
 * The admissions ledger port: the waiting room records every admission it issues before handing
 * out its token, so that later a booking can be traced to the queue place that allowed it, and a
 * booking whose admission is not in the ledger stands out as one that did not come through the
 * queue (`npm run audit`). Recording is idempotent: the admission id is deterministic per place,
 * so a re-claim after a reload records nothing new.
 */
import { createHmac } from 'node:crypto';

/** How the person holding the admission was verified (from their identity session). */
export interface Verification {
  readonly providerId: string;
  readonly verifiedAtMs: number;
}

export interface AdmissionRecord {
  readonly admissionId: string;
  readonly campaignId: string;
  readonly identityHash: string;
  /** A keyed hash of the device id ({@link deviceTagOf}); the id itself is not kept. */
  readonly deviceTag: string;
  readonly queueSeq: number | null;
  readonly isPreRoom: boolean;
  readonly ticketIssuedAtMs: number;
  readonly admittedAtMs: number;
  readonly expiresAtMs: number;
  readonly verification: Verification | null;
}

/** Where admissions are recorded (admission-ledger.repository.ts over Kysely). */
export interface AdmissionLedger {
  /** Stores the record unless one with its admission id exists (then does nothing). */
  recordAdmission(record: AdmissionRecord): Promise<void>;
}

/** 16 base64url characters of HMAC-SHA256(key, 'device' ‖ deviceId): the same device, the same tag. */
export function deviceTagOf(key: Uint8Array, deviceId: string): string {
  return createHmac('sha256', key).update(`device\u0000${deviceId}`).digest('base64url').slice(0, 16);
}
