-- +goose Up
-- Times are Unix nanoseconds (BIGINT) so that the same SQL works on SQLite
-- and PostgreSQL and episode keys compare exactly.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at BIGINT NOT NULL,
    target      TEXT   NOT NULL DEFAULT '',
    receiver    TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    group_key   TEXT   NOT NULL,
    -- Everything of the payload but the alerts (labels, annotations, URLs).
    common      TEXT   NOT NULL
);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id BIGINT NOT NULL REFERENCES notifications (id),
    fingerprint     TEXT   NOT NULL,
    starts_at       BIGINT NOT NULL,
    status          TEXT   NOT NULL,
    alert           TEXT   NOT NULL
);
CREATE INDEX events_notification ON events (notification_id);

-- The outbox: one row per alert event and channel. The unique key is what
-- makes Alertmanager retries and HA duplicates deliver nothing twice.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel         TEXT    NOT NULL,
    fingerprint     TEXT    NOT NULL,
    starts_at       BIGINT  NOT NULL,
    kind            TEXT    NOT NULL,
    seq             INTEGER NOT NULL DEFAULT 0,
    event_id        BIGINT  NOT NULL REFERENCES events (id),
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_parts      INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    UNIQUE (channel, fingerprint, starts_at, kind, seq)
);
CREATE INDEX deliveries_pending ON deliveries (channel, id) WHERE state = 'pending';
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';

CREATE TABLE delivery_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id  BIGINT  NOT NULL REFERENCES deliveries (id),
    attempted_at BIGINT  NOT NULL,
    duration_ns  BIGINT  NOT NULL,
    outcome      TEXT    NOT NULL,
    error        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);

-- Platform message ids, for replies and edits when an alert resolves.
CREATE TABLE sent_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT  NOT NULL REFERENCES deliveries (id),
    channel     TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    starts_at   BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    part        INTEGER NOT NULL,
    chat_id     TEXT    NOT NULL,
    thread_id   TEXT    NOT NULL DEFAULT '',
    message_id  TEXT    NOT NULL,
    folded      BOOLEAN NOT NULL DEFAULT FALSE,
    sent_at     BIGINT  NOT NULL
);
CREATE INDEX sent_messages_episode ON sent_messages (channel, fingerprint, starts_at, kind);

-- +goose Down
DROP TABLE sent_messages;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
DROP TABLE events;
DROP TABLE notifications;
