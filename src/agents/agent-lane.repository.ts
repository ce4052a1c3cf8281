/** The phone lane's quota and admissions over Kysely (0007_agent_lane.sql). */
import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../platform/db.ts';
import { err, ok } from '../platform/result.ts';
import type { AgentAdmission, AgentLaneStore } from './agents.ts';

const ms = (d: Date | string) => new Date(d).getTime();

interface AdmissionRow {
  admission_id: string;
  campaign_id: string;
  agent: string;
  identity_hash: string;
  verification_provider: string;
  verified_at: Date;
  admitted_at: Date;
  expires_at: Date;
}
const admissionOf = (r: AdmissionRow): AgentAdmission => ({
  admissionId: r.admission_id,
  campaignId: r.campaign_id,
  agent: r.agent,
  identityHash: r.identity_hash,
  verificationProvider: r.verification_provider,
  verifiedAtMs: ms(r.verified_at),
  admittedAtMs: ms(r.admitted_at),
  expiresAtMs: ms(r.expires_at),
});

async function countSince(db: DbOrTrx, campaignId: string, sinceMs: number): Promise<number> {
  const r = await db
    .selectFrom('agent_admissions')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('campaign_id', '=', campaignId)
    .where('admitted_at', '>', new Date(sinceMs))
    .executeTakeFirstOrThrow();
  return r.n;
}

export function createAgentLaneRepository(db: Db): AgentLaneStore {
  return {
    async quotaOf(campaignId) {
      const r = await db
        .selectFrom('agent_lane_quotas')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .executeTakeFirst();
      return r ? { sharePercent: r.share_percent, setBy: r.set_by, setAtMs: ms(r.set_at) } : null;
    },

    async setQuota(campaignId, quota, by, atMs) {
      const row = { share_percent: quota.sharePercent, set_by: by, set_at: new Date(atMs) };
      await db
        .insertInto('agent_lane_quotas')
        .values({ campaign_id: campaignId, ...row })
        .onConflict((oc) => oc.column('campaign_id').doUpdateSet(row))
        .execute();
    },

    async openAdmissionOf(campaignId, identityHash, nowMs) {
      const r = await db
        .selectFrom('agent_admissions as a')
        .selectAll('a')
        .where('a.campaign_id', '=', campaignId)
        .where('a.identity_hash', '=', identityHash)
        .where('a.expires_at', '>', new Date(nowMs))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('bookings')
                .select(sql`1`.as('one'))
                .whereRef('bookings.admission_id', '=', 'a.admission_id'),
            ),
          ),
        )
        .orderBy('a.admitted_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? admissionOf(r) : undefined;
    },

    countSince: (campaignId, sinceMs) => countSince(db, campaignId, sinceMs),

    async admittedSince(campaignId, sinceMs) {
      const rows = await db
        .selectFrom('agent_admissions')
        .select(['admission_id', 'admitted_at'])
        .where('campaign_id', '=', campaignId)
        .where('admitted_at', '>', new Date(sinceMs))
        .execute();
      return rows.map((r) => ({ admissionId: r.admission_id, admittedAtMs: ms(r.admitted_at) }));
    },

    admitIfAllowed(a, windowMs, decide) {
      return db.transaction().execute(async (trx) => {
        // The quota row is the lane's lock: admissions of one campaign are decided one at a time,
        // whichever process they reach. No row: no lane (decide says closed).
        await trx
          .selectFrom('agent_lane_quotas')
          .select('campaign_id')
          .where('campaign_id', '=', a.campaignId)
          .forUpdate()
          .execute();
        const since = a.admittedAtMs - windowMs;
        const decision = decide(await countSince(trx, a.campaignId, since));
        if (!decision.ok) {
          const mustLeave = Number(decision.detail?.mustLeave ?? 0);
          if (decision.reason !== 'lane-full' || mustLeave < 1) return decision;
          const leaving = await trx
            .selectFrom('agent_admissions')
            .select('admitted_at')
            .where('campaign_id', '=', a.campaignId)
            .where('admitted_at', '>', new Date(since))
            .orderBy('admitted_at')
            .offset(mustLeave - 1)
            .limit(1)
            .executeTakeFirst();
          return err('lane-full', {
            ...decision.detail,
            leavesAtMs: leaving ? ms(leaving.admitted_at) : a.admittedAtMs,
          });
        }
        await trx
          .insertInto('agent_admissions')
          .values({
            admission_id: a.admissionId,
            campaign_id: a.campaignId,
            agent: a.agent,
            identity_hash: a.identityHash,
            verification_provider: a.verificationProvider,
            verified_at: new Date(a.verifiedAtMs),
            admitted_at: new Date(a.admittedAtMs),
            expires_at: new Date(a.expiresAtMs),
          })
          .execute();
        return ok(a);
      });
    },
  };
}
