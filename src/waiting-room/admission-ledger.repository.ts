/** The admissions ledger over Kysely (the `admissions` table of 0005_operations.sql). */
import type { Db } from '../platform/db.ts';
import type { AdmissionLedger } from './admission-ledger.ts';

export function createAdmissionLedgerRepository(db: Db): AdmissionLedger {
  return {
    async recordAdmission(r) {
      await db
        .insertInto('admissions')
        .values({
          admission_id: r.admissionId,
          campaign_id: r.campaignId,
          identity_hash: r.identityHash,
          device_tag: r.deviceTag,
          queue_seq: r.queueSeq,
          pre_room: r.isPreRoom,
          ticket_issued_at: new Date(r.ticketIssuedAtMs),
          admitted_at: new Date(r.admittedAtMs),
          expires_at: new Date(r.expiresAtMs),
          verification_provider: r.verification?.providerId ?? null,
          verified_at: r.verification ? new Date(r.verification.verifiedAtMs) : null,
        })
        .onConflict((oc) => oc.column('admission_id').doNothing())
        .execute();
    },
  };
}
