-- +goose Up
-- Singletons (the dispatcher, the Telegram poller, the collectors, pruning)
-- run under a lease: one holder at a time, an epoch that grows with every
-- new holder (the fencing token), and an end in Unix nanoseconds.
CREATE TABLE leases (
    name        TEXT   PRIMARY KEY,
    holder      TEXT   NOT NULL,
    epoch       BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    acquired_at BIGINT NOT NULL
);
-- Who last claimed a delivery to send it ("holder/epoch").
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
-- What a channel sent lately, for rate limits that outlive a takeover.
CREATE INDEX sent_messages_recent ON sent_messages (channel, sent_at);

-- +goose Down
DROP INDEX sent_messages_recent;
ALTER TABLE deliveries DROP COLUMN claimed_by;
DROP TABLE leases;
