-- +goose Up
-- The interactive Telegram bot's state. Times are Unix nanoseconds.

-- Chats that receive the alerts matching an expression (label matchers or
-- a regular expression over the labels).
CREATE TABLE bot_subscriptions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    expr       TEXT   NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (chat_id, kind, expr)
);

-- Changes made from chat, for the audit.
CREATE TABLE bot_actions (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      BIGINT NOT NULL,
    chat_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    -- Not "user": a reserved word in PostgreSQL.
    user_name TEXT NOT NULL,
    kind    TEXT   NOT NULL,
    detail  TEXT   NOT NULL
);
CREATE INDEX bot_actions_at ON bot_actions (at);

-- The state behind inline keyboard buttons, whose callback data carry only
-- the (signed) id. AUTOINCREMENT: an id is never given again after its row
-- was pruned, so an old button can never find a newer button's state.
CREATE TABLE bot_buttons (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT   NOT NULL,
    chat_id    BIGINT NOT NULL,
    message_id BIGINT NOT NULL DEFAULT 0,
    data       BLOB   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX bot_buttons_expires ON bot_buttons (expires_at);

-- The key that signs button ids: one row, made once.
CREATE TABLE bot_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    key        BLOB   NOT NULL,
    created_at BIGINT NOT NULL
);

-- Small values the bot keeps across restarts (the getUpdates offset).
CREATE TABLE bot_state (
    key        TEXT PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Update ids already handled, so that a redelivered update changes nothing.
CREATE TABLE bot_updates (
    update_id BIGINT PRIMARY KEY,
    seen_at   BIGINT NOT NULL
);
CREATE INDEX bot_updates_seen ON bot_updates (seen_at);

-- A chat's language, when set with /lang.
CREATE TABLE bot_chats (
    chat_id    BIGINT PRIMARY KEY,
    language   TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Acknowledged alert episodes: no more reminders for them.
CREATE TABLE bot_acks (
    fingerprint TEXT   NOT NULL,
    starts_at   BIGINT NOT NULL,
    acked_by    TEXT   NOT NULL,
    acked_at    BIGINT NOT NULL,
    PRIMARY KEY (fingerprint, starts_at)
);
CREATE INDEX bot_acks_at ON bot_acks (acked_at);

-- +goose Down
DROP TABLE bot_acks;
DROP TABLE bot_chats;
DROP TABLE bot_updates;
DROP TABLE bot_state;
DROP TABLE bot_key;
DROP TABLE bot_buttons;
DROP TABLE bot_actions;
DROP TABLE bot_subscriptions;
