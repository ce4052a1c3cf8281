-- 0004_operator_sessions: operator console sessions and login attempts (issue 11 #9).
-- A session row is checked on every console request, so logout (revoked_at_ms) ends the 8-hour
-- token at once in every process. Login attempts are counted per account and per address over a
-- window for the lock-out; old rows are pruned by the login route.
CREATE TABLE operator_sessions (
  id             text     PRIMARY KEY,
  username       text     NOT NULL,
  created_at_ms  bigint   NOT NULL,
  expires_at_ms  bigint   NOT NULL,
  revoked_at_ms  bigint
);
CREATE TABLE operator_login_attempts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_ms      bigint   NOT NULL,
  username   text     NOT NULL,
  address    text     NOT NULL,
  succeeded  boolean  NOT NULL
);
CREATE INDEX operator_login_attempts_username ON operator_login_attempts (username, at_ms);
CREATE INDEX operator_login_attempts_address ON operator_login_attempts (address, at_ms);
CREATE INDEX operator_login_attempts_at ON operator_login_attempts (at_ms);
