-- 0005_operations: reviewed rule changes, the operators' audit trail and the admissions ledger.
-- Invariants the database itself enforces, whatever the application does:
--   * a campaign version is approved by someone other than its author (CHECK approver <> author);
--   * a review moves only forward: draft → pending → approved → published (or withdrawn), and the
--     publish is one conditional UPDATE (state = 'approved' AND due), so of several processes that
--     find the same due publish exactly one performs it;
--   * the audit log is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE;
--   * an admission is recorded once (its id is the primary key; the id is deterministic per place).

-- One review per stored campaign version that did not go live by the seed. `impact` is the report
-- the approver saw (against `base_live_version`); publishing refuses if the live version has since
-- moved, so nobody publishes over a change the report did not account for.
CREATE TABLE campaign_reviews (
  campaign_id        text        NOT NULL,
  version            integer     NOT NULL,
  state              text        NOT NULL CHECK (state IN ('pending', 'approved', 'published', 'withdrawn')),
  author             text        NOT NULL,
  submitted_at       timestamptz NOT NULL,
  base_live_version  integer,
  approver           text,
  approved_at        timestamptz,
  publish_at         timestamptz,
  published_at       timestamptz,
  published_by       text,
  PRIMARY KEY (campaign_id, version),
  FOREIGN KEY (campaign_id, version) REFERENCES campaign_versions (campaign_id, version),
  CHECK (approver IS NULL OR approver <> author),
  CHECK (state NOT IN ('approved', 'published') OR (approver IS NOT NULL AND approved_at IS NOT NULL)),
  CHECK (state <> 'published' OR published_at IS NOT NULL)
);
CREATE INDEX campaign_reviews_due ON campaign_reviews (publish_at) WHERE state = 'approved';

-- Who did what, when, with the state before and after. actor_kind: an operator in the console,
-- a call-centre agent (booking for a caller), or the system (the scheduled publisher).
CREATE TABLE audit_log (
  id           bigserial   PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor_kind   text        NOT NULL CHECK (actor_kind IN ('operator', 'agent', 'system')),
  actor        text        NOT NULL,
  action       text        NOT NULL,
  campaign_id  text,
  target       text,
  before       jsonb,
  after        jsonb,
  detail       jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_campaign ON audit_log (campaign_id, at DESC);
CREATE INDEX audit_log_target ON audit_log (target) WHERE target IS NOT NULL;

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Every admission the waiting room issued, written before its token is handed out: a booking whose
-- admission_id is not here did not come through the queue. device_tag is a keyed hash of the device
-- id (not the id itself); the identity is its keyed hash, as everywhere.
CREATE TABLE admissions (
  admission_id           text        PRIMARY KEY,
  campaign_id            text        NOT NULL,
  identity_hash          text        NOT NULL,
  device_tag             text        NOT NULL,
  queue_seq              bigint,
  pre_room               boolean     NOT NULL,
  -- When the queue ticket presented at admission was issued: the join, or its last reissue (a
  -- ticket is reissued when its place becomes exact, e.g. a pre-room place gets its seq).
  ticket_issued_at       timestamptz,
  admitted_at            timestamptz NOT NULL,
  expires_at             timestamptz NOT NULL,
  verification_provider  text,
  verified_at            timestamptz
);
CREATE INDEX admissions_campaign ON admissions (campaign_id, admitted_at);

-- The console's history: each process writes one sample of the dashboard's charted numbers per
-- live campaign every DASHBOARD_SAMPLE_MS, so anyone logging in mid-event, on any process, sees
-- the night so far. Rows older than DASHBOARD_HISTORY_MS are pruned by the writers. Not an audit
-- record: deleting is allowed here.
CREATE TABLE dashboard_samples (
  campaign_id        text             NOT NULL,
  at_ms              bigint           NOT NULL,
  process_id         text             NOT NULL,
  waiting            double precision,
  admitted_per_sec   double precision,
  bookings_per_sec   double precision NOT NULL,
  p50_ms             double precision,
  p99_ms             double precision,
  eta_p50_sec        double precision,
  eta_p90_sec        double precision,
  PRIMARY KEY (campaign_id, at_ms, process_id)
);
CREATE INDEX dashboard_samples_age ON dashboard_samples (at_ms);
