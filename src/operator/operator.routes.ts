import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendProblem, sendResult } from '../platform/http/errors.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { TokenSigner } from '../platform/signing.ts';
import type { CampaignService } from '../campaigns/campaign.service.ts';
import { checkPassword, type OperatorAccount } from './operator-accounts.ts';
import { OPERATOR_COOKIE, registerOperatorAuth, requireOperator, type OperatorClaims } from './operator-auth.ts';
import type { DashboardService } from './dashboard.service.ts';
import type { OperatorSessions } from './operator-sessions.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { replies } from '../platform/http/problem.schemas.ts';
import {
  AdmissionBody,
  AdmissionChangedSchema,
  AdmissionSettingsBody,
  AdmissionSettingsSchema,
  ReferenceLookupSchema,
  ReferenceParams,
  type AdmissionSettingsWire,
  CampaignParams,
  DashboardQuery,
  DashboardSchema,
  EditorCampaignsSchema,
  LoggedOutSchema,
  LoginBody,
  OperatorSchema,
  PreviewBody,
  PreviewSchema,
  RulesBody,
  ValidatedSchema,
} from './operator.schemas.ts';
import { operatorActor, type AuditAction, type AuditRecorder } from '../audit/audit.service.ts';
import type { WaitingRoomService } from '../waiting-room/waiting-room.service.ts';
import { referenceLookupWire, referenceProblem } from './reference-lookup.ts';
import type { AdmissionSettings } from '../waiting-room/admission-settings.ts';

/** Operator controls of a campaign's admission; 'unknown-campaign' when it has no waiting room. */
export interface AdmissionControls {
  pause(campaignId: string): Result<unknown, 'unknown-campaign'>;
  resume(campaignId: string): Result<unknown, 'unknown-campaign'>;
  pinRate(campaignId: string, ratePerSec: number | null): Result<unknown, 'unknown-campaign'>;
  admissionSettings: WaitingRoomService['admissionSettings'];
  setAdmissionSettings: WaitingRoomService['setAdmissionSettings'];
  lookupReference: WaitingRoomService['lookupReference'];
}

const settingsWire = (campaignId: string, s: AdmissionSettings | null): AdmissionSettingsWire => ({
  campaignId,
  plannedRatePerSec: s?.plannedRatePerSec ?? null,
  plannedTurnoverPerSec: s?.plannedTurnoverPerSec ? [...s.plannedTurnoverPerSec] : null,
  message: s?.message ?? null,
  updatedAt: s ? new Date(s.updatedAtMs).toISOString() : null,
});

export interface OperatorRoutesDeps {
  accounts: readonly OperatorAccount[];
  signer: TokenSigner<OperatorClaims>;
  sessionTtlMs: number;
  secureCookies: boolean;
  campaigns: CampaignService;
  dashboard: DashboardService;
  admission: AdmissionControls | null;
  sessions: OperatorSessions;
  throttle: LoginThrottle;
  /** HMAC key binding CSRF tokens to their session. */
  csrfKey: Uint8Array;
  /** Every login, logout, failed login and admission change is recorded here. */
  audit: AuditRecorder;
}

export function operatorRoutes(d: OperatorRoutesDeps) {
  return async (app: FastifyInstance) => {
    await registerOperatorAuth(app, { secureCookies: d.secureCookies, csrfKey: d.csrfKey });
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    // The session check first (it sets the session id), then CSRF bound to that session.
    const viewerWrites = [requireOperator(d.signer, d.sessions, 'viewer'), app.csrfProtection];
    const operatorWrites = [requireOperator(d.signer, d.sessions, 'operator'), app.csrfProtection];
    const viewerReads = requireOperator(d.signer, d.sessions, 'viewer');
    const anyRoleReads = requireOperator(d.signer, d.sessions, 'any-role');
    const anyRoleWrites = [anyRoleReads, app.csrfProtection];
    const tags = ['operator'];
    const cookieOpts = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: d.secureCookies };

    r.post(
      '/api/operator/login',
      { schema: { tags, body: LoginBody, response: replies({ 200: OperatorSchema }) } },
      async (req, reply) => {
        const { username, password } = req.body;
        const open = await d.throttle.check(username, req.ip);
        if (!open.ok)
          return sendProblem(reply.header('retry-after', open.detail?.retryAfterSec ?? 60), 'operator-locked');
        const account = checkPassword(d.accounts, username, password);
        await d.throttle.record(username, req.ip, !!account);
        if (!account) {
          await d.audit.record({
            actor: operatorActor(username),
            action: 'login-failed',
            target: username,
            detail: { ip: req.ip },
          });
          return sendProblem(reply, 'operator-login-failed');
        }
        await d.audit.record({
          actor: operatorActor(account.username),
          action: 'login',
          target: account.username,
          after: { role: account.role },
          detail: { ip: req.ip },
        });
        const { sessionId } = await d.sessions.open(account.username, d.sessionTtlMs);
        const { token, expiresAtMs } = await d.signer.sign(
          { sub: account.username, role: account.role, sid: sessionId },
          d.sessionTtlMs,
        );
        reply.setCookie(OPERATOR_COOKIE, token, { ...cookieOpts, expires: new Date(expiresAtMs) });
        return {
          username: account.username,
          role: account.role,
          csrfToken: reply.generateCsrf({ userInfo: sessionId }),
        };
      },
    );
    r.get(
      '/api/operator/me',
      { schema: { tags, response: replies({ 200: OperatorSchema }) }, preHandler: anyRoleReads },
      async (req, reply) => ({
        username: req.operator!.username,
        role: req.operator!.role,
        csrfToken: reply.generateCsrf({ userInfo: req.operator!.sessionId }),
      }),
    );
    r.post(
      '/api/operator/logout',
      { schema: { tags, response: replies({ 200: LoggedOutSchema }) }, preHandler: anyRoleWrites },
      async (req, reply) => {
        await d.sessions.revoke(req.operator!.sessionId);
        await d.audit.record({
          actor: operatorActor(req.operator!.username),
          action: 'logout',
          target: req.operator!.username,
          detail: { ip: req.ip },
        });
        reply.clearCookie(OPERATOR_COOKIE, cookieOpts);
        return { loggedOut: true as const };
      },
    );

    r.get(
      '/api/operator/campaigns',
      { schema: { tags, response: replies({ 200: EditorCampaignsSchema }) }, preHandler: viewerReads },
      async () => ({ campaigns: await d.campaigns.listForEditor() }),
    );
    r.post(
      '/api/operator/campaigns/validate',
      { schema: { tags, body: RulesBody, response: replies({ 200: ValidatedSchema }) }, preHandler: viewerWrites },
      async (req, reply) => {
        const v = d.campaigns.validate(req.body.rules);
        return sendResult(reply, v.ok ? ok({ ok: true, ...v.value }) : v);
      },
    );
    r.post(
      '/api/operator/campaigns/preview',
      { schema: { tags, body: PreviewBody, response: replies({ 200: PreviewSchema }) }, preHandler: viewerWrites },
      async (req, reply) => sendResult(reply, await d.campaigns.preview(req.body.rules, Date.parse(req.body.at))),
    );

    r.get(
      '/api/operator/dashboard',
      {
        schema: { tags, querystring: DashboardQuery, response: replies({ 200: DashboardSchema }) },
        preHandler: viewerReads,
      },
      async (req) => d.dashboard.dashboard(req.query.campaignId),
    );
    r.post(
      '/api/operator/campaigns/:campaignId/admission',
      {
        schema: {
          tags,
          params: CampaignParams,
          body: AdmissionBody,
          response: replies({ 200: AdmissionChangedSchema }),
        },
        preHandler: operatorWrites,
      },
      async (req, reply) => {
        if (!d.admission) return sendResult(reply, err('campaign-not-found'));
        const { action, ratePerSec } = req.body;
        if (action === 'pin' && ratePerSec === undefined)
          return sendProblem(reply, 'validation', {
            errors: [{ field: 'body/ratePerSec', message: 'required to pin the rate' }],
          });
        const id = req.params.campaignId;
        const before = d.dashboard.admissionState(id);
        const done =
          action === 'pause'
            ? d.admission.pause(id)
            : action === 'resume'
              ? d.admission.resume(id)
              : d.admission.pinRate(id, action === 'pin' ? ratePerSec! : null);
        if (done.ok) {
          await d.audit.record({
            actor: operatorActor(req.operator!.username),
            action: `admission-${action}` as AuditAction,
            campaignId: id,
            target: `campaign:${id}`,
            before,
            after: d.dashboard.admissionState(id),
            detail: action === 'pin' ? { ratePerSec } : {},
          });
        }
        return sendResult(
          reply,
          done.ok ? ok({ campaignId: id, action, state: done.value }) : err('campaign-not-found'),
        );
      },
    );

    r.get(
      '/api/operator/campaigns/:campaignId/admission/settings',
      {
        schema: { tags, params: CampaignParams, response: replies({ 200: AdmissionSettingsSchema }) },
        preHandler: viewerReads,
      },
      async (req, reply) => {
        const id = req.params.campaignId;
        const s = d.admission?.admissionSettings(id);
        if (!s?.ok) return sendResult(reply, err('campaign-not-found'));
        return settingsWire(id, s.value);
      },
    );
    r.put(
      '/api/operator/campaigns/:campaignId/admission/settings',
      {
        schema: {
          tags,
          params: CampaignParams,
          body: AdmissionSettingsBody,
          response: replies({ 200: AdmissionSettingsSchema }),
        },
        preHandler: operatorWrites,
      },
      async (req, reply) => {
        const id = req.params.campaignId;
        if (!d.admission) return sendResult(reply, err('campaign-not-found'));
        const before = d.admission.admissionSettings(id);
        const done = await d.admission.setAdmissionSettings(id, req.body);
        if (!done.ok)
          return done.reason === 'unknown-campaign'
            ? sendResult(reply, err('campaign-not-found'))
            : sendProblem(reply, 'validation', {
                errors: [{ field: 'body/message', message: 'a message needs Korean and English text' }],
              });
        await d.audit.record({
          actor: operatorActor(req.operator!.username),
          action: 'admission-settings',
          campaignId: id,
          target: `campaign:${id}`,
          before: before.ok ? before.value : null,
          after: done.value,
        });
        return settingsWire(id, done.value);
      },
    );
    // A place named by its queue reference (the citizen reads it out on the phone). Call-centre
    // agents have their own route to the same service method (agent.routes.ts, audited).
    r.get(
      '/api/operator/campaigns/:campaignId/queue/references/:reference',
      {
        schema: { tags, params: ReferenceParams, response: replies({ 200: ReferenceLookupSchema }) },
        preHandler: viewerReads,
      },
      async (req, reply) => {
        const { campaignId, reference } = req.params;
        if (!d.admission) return sendResult(reply, err('campaign-not-found'));
        const found = d.admission.lookupReference(campaignId, reference);
        return found.ok
          ? referenceLookupWire(campaignId, found.value)
          : sendProblem(reply, referenceProblem(found.reason));
      },
    );
  };
}
