import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendResult, sendProblem } from '../platform/http/errors.ts';
import { ok } from '../platform/result.ts';
import { isCalendarDate } from '../platform/calendar.ts';
import type { AvailabilityService } from '../booking/availability.service.ts';
import type { CampaignService } from './campaign.service.ts';
import { replies } from '../platform/http/problem.schemas.ts';
import {
  AvailabilitySchema,
  CampaignListSchema,
  CampaignParams,
  ScheduleQuery,
  ScheduleSchema,
} from './campaign.schemas.ts';

/** Public campaign information: schedules and free capacity need no identity and no queue. */
export function campaignRoutes(campaigns: CampaignService, availability: AvailabilityService) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.get(
      '/api/campaigns',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Live campaigns and their rules (public)',
          response: replies({ 200: CampaignListSchema }),
        },
      },
      async () => {
        const live = await campaigns.liveCampaigns();
        return { campaigns: [...live.values()].map((c) => ({ ...c.rules, version: c.version })) };
      },
    );
    r.get(
      '/api/campaigns/:campaignId/schedule',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'When can a person born on this date book?',
          params: CampaignParams,
          querystring: ScheduleQuery,
          response: replies({ 200: ScheduleSchema }),
        },
      },
      async (req, reply) => {
        if (!isCalendarDate(req.query.birthDate))
          return sendProblem(reply, 'validation', {
            errors: [{ field: '/birthDate', message: 'not a calendar date' }],
          });
        const schedule = await campaigns.scheduleForBirthDate(req.params.campaignId, req.query.birthDate);
        return sendResult(
          reply,
          schedule.ok
            ? ok({
                openings: schedule.value.map((o) => ({
                  phaseId: o.phaseId,
                  label: o.label,
                  opensAt: new Date(o.opensAtMs).toISOString(),
                  closesAt: new Date(o.closesAtMs).toISOString(),
                })),
              })
            : schedule,
        );
      },
    );
    r.get(
      '/api/campaigns/:campaignId/availability',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Free dose-1 seats per region (public)',
          params: CampaignParams,
          response: replies({ 200: AvailabilitySchema }),
        },
      },
      async (req, reply) => {
        const free = await availability.freeSeatsByRegion(req.params.campaignId);
        return sendResult(reply, free.ok ? ok({ regions: free.value }) : free);
      },
    );
  };
}
