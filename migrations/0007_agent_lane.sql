-- 0007_agent_lane: call-centre agents (issue 15 item 4).
-- agent_lane_quotas: the share of a campaign's admission rate its phone lane may use, set by an
-- operator (the change itself is in the audit log with before and after). No row: the lane is closed.
-- agent_admissions: every caller an agent admitted through the phone lane, written before the
-- booking that uses it, as `admissions` is for the queue: the agent record `npm run audit` accepts
-- in place of a queue admission, and what a booking's trace shows (agent, lane, verification).
-- A booking names it in bookings.admission_id (unique there, so one admission books once).
CREATE TABLE agent_lane_quotas (
  campaign_id    text             PRIMARY KEY,
  share_percent  double precision NOT NULL CHECK (share_percent >= 0 AND share_percent <= 50),
  set_by         text             NOT NULL,
  set_at         timestamptz      NOT NULL
);

CREATE TABLE agent_admissions (
  admission_id           text        PRIMARY KEY,
  campaign_id            text        NOT NULL,
  agent                  text        NOT NULL,
  identity_hash          text        NOT NULL,
  verification_provider  text        NOT NULL,
  verified_at            timestamptz NOT NULL,
  admitted_at            timestamptz NOT NULL,
  expires_at             timestamptz NOT NULL
);
CREATE INDEX agent_admissions_campaign ON agent_admissions (campaign_id, admitted_at);
CREATE INDEX agent_admissions_caller ON agent_admissions (campaign_id, identity_hash, expires_at);
