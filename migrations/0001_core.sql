-- 0001_core: campaigns (rules as versioned data), people (keyed by an HMAC of the resident
-- registration number, never the number itself), facilities, slots, bookings, outbox.
-- Invariants the database itself enforces, whatever the application does:
--   * a slot is never booked beyond its capacity (CHECK booked <= capacity);
--   * one active booking per person per campaign (partial unique index);
--   * a retried request with the same idempotency key cannot create a second booking;
--   * an admission id is consumed by at most one booking.

CREATE TABLE campaign_versions (
  campaign_id  text        NOT NULL,
  version      integer     NOT NULL CHECK (version >= 1),
  rules        jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text        NOT NULL,
  PRIMARY KEY (campaign_id, version)
);

-- The version citizens are served; NULL while a campaign is only a draft.
CREATE TABLE campaigns (
  id            text    PRIMARY KEY,
  live_version  integer,
  FOREIGN KEY (id, live_version) REFERENCES campaign_versions (campaign_id, version)
);

CREATE TABLE people (
  id             bigserial PRIMARY KEY,
  -- base64url(HMAC-SHA256(IDENTITY_HMAC_KEY, normalized RRN)); the RRN itself is never stored.
  identity_hash  text      NOT NULL UNIQUE,
  birth_date     date      NOT NULL,
  name           text      NOT NULL,
  phone          text      NOT NULL,
  region_code    text      NOT NULL
);
CREATE INDEX people_birth_date ON people (birth_date);

CREATE TABLE facilities (
  id             serial PRIMARY KEY,
  code           text   NOT NULL UNIQUE,
  name_ko        text   NOT NULL,
  name_en        text   NOT NULL,
  region_code    text   NOT NULL,
  district_code  text   NOT NULL,
  address        text   NOT NULL,
  kind           text   NOT NULL
);
CREATE INDEX facilities_region ON facilities (region_code, district_code);

-- One row per campaign x facility x date x vaccine x dose (x rotation quota group).
-- Dose-2 capacity is its own row at the facility on the dose-2 date, so an automatic
-- dose-2 appointment can never oversell either.
CREATE TABLE slots (
  id              bigserial PRIMARY KEY,
  campaign_id     text      NOT NULL REFERENCES campaigns (id),
  facility_id     integer   NOT NULL REFERENCES facilities (id),
  date            date      NOT NULL,
  vaccine_code    text      NOT NULL,
  dose            smallint  NOT NULL CHECK (dose IN (1, 2)),
  rotation_group  smallint  CHECK (rotation_group BETWEEN 0 AND 9),
  capacity        integer   NOT NULL CHECK (capacity >= 0),
  booked          integer   NOT NULL DEFAULT 0,
  CHECK (booked >= 0 AND booked <= capacity),
  UNIQUE NULLS NOT DISTINCT (campaign_id, facility_id, date, vaccine_code, dose, rotation_group)
);
CREATE INDEX slots_search ON slots (campaign_id, dose, date, facility_id);

CREATE TABLE bookings (
  id               bigserial   PRIMARY KEY,
  -- What the citizen sees and quotes on the phone; random, not guessable from id.
  booking_number   text        NOT NULL UNIQUE,
  campaign_id      text        NOT NULL REFERENCES campaigns (id),
  campaign_version integer     NOT NULL,
  person_id        bigint      NOT NULL REFERENCES people (id),
  -- The verified identity that made the request: the person, or a proxy booking for them
  -- where the campaign allows it.
  requested_by_id  bigint      NOT NULL REFERENCES people (id),
  status           text        NOT NULL CHECK (status IN ('active', 'cancelled')),
  facility_id      integer     NOT NULL REFERENCES facilities (id),
  vaccine_code     text        NOT NULL,
  dose1_slot_id    bigint      NOT NULL REFERENCES slots (id),
  dose1_date       date        NOT NULL,
  dose2_slot_id    bigint      NOT NULL REFERENCES slots (id),
  dose2_date       date        NOT NULL,
  idempotency_key  text        NOT NULL,
  admission_id     text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  cancelled_at     timestamptz,
  UNIQUE (requested_by_id, idempotency_key),
  UNIQUE (admission_id)
);
CREATE UNIQUE INDEX bookings_one_active_per_person ON bookings (campaign_id, person_id) WHERE status = 'active';

-- Transactional outbox: written in the same transaction as the booking change it announces,
-- so a message exists if and only if the change committed. The sender delivers after commit.
CREATE TABLE outbox (
  id               bigserial   PRIMARY KEY,
  booking_id       bigint      NOT NULL REFERENCES bookings (id),
  kind             text        NOT NULL CHECK (kind IN ('booking-confirmed', 'booking-changed', 'booking-cancelled')),
  payload          jsonb       NOT NULL,
  created_at       timestamptz NOT NULL,
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  sent_at          timestamptz,
  failed_at        timestamptz,
  last_error       text
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
