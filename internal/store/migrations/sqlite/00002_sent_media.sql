-- +goose Up
-- A sent message that is a photo (the chart) carries its text as a caption;
-- edits on resolve must know which.
ALTER TABLE sent_messages ADD COLUMN media BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE sent_messages DROP COLUMN media;
