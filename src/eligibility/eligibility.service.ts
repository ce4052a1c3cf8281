/**
 * The eligibility capability as a service: the pure engine plus the server's Clock and a way to
 * find campaigns. Lookup failures and unreadable birth dates become typed reasons here, so a
 * route maps them through the error table instead of catching.
 */
import type { Clock } from '../platform/clock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import {
  checkEligibility,
  previewAt,
  scheduleFor,
  type CampaignPreview,
  type EligibilityDecision,
  type EligibilityQuery,
  type Opening,
} from './eligibility.ts';
import type { CampaignRules } from './rules.ts';
import { isCalendarDate } from './seoul-time.ts';

export interface EligibilityServiceDeps {
  /** Server time, never the client's. */
  readonly clock: Clock;
  /** Current validated rules of a campaign, or undefined if there is no such campaign. */
  readonly campaignById: (campaignId: string) => CampaignRules | undefined;
}

/** A decision plus the rules version it was made with, for audit and support. */
export type VersionedDecision = EligibilityDecision & { readonly campaignId: string; readonly rulesVersion: number };

export interface EligibilityService {
  check(campaignId: string, query: EligibilityQuery): Result<VersionedDecision, 'unknown-campaign' | 'invalid-birth-date'>;
  schedule(campaignId: string, birthDate: string): Result<readonly Opening[], 'unknown-campaign' | 'invalid-birth-date'>;
  preview(campaignId: string, countsByBirthDate: ReadonlyMap<string, number>): Result<CampaignPreview, 'unknown-campaign'>;
}

export function createEligibilityService({ clock, campaignById }: EligibilityServiceDeps): EligibilityService {
  return {
    check(campaignId, query) {
      const campaign = campaignById(campaignId);
      if (!campaign) return err('unknown-campaign', { campaignId });
      if (!isCalendarDate(query.birthDate)) return err('invalid-birth-date', { birthDate: query.birthDate });
      const decision = checkEligibility(query, campaign, clock.nowMs());
      return ok({ ...decision, campaignId: campaign.id, rulesVersion: campaign.version });
    },
    schedule(campaignId, birthDate) {
      const campaign = campaignById(campaignId);
      if (!campaign) return err('unknown-campaign', { campaignId });
      if (!isCalendarDate(birthDate)) return err('invalid-birth-date', { birthDate });
      return ok(scheduleFor(campaign, birthDate));
    },
    preview(campaignId, countsByBirthDate) {
      const campaign = campaignById(campaignId);
      if (!campaign) return err('unknown-campaign', { campaignId });
      return ok(previewAt(campaign, clock.nowMs(), countsByBirthDate));
    },
  };
}
