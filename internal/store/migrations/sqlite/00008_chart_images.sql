-- +goose Up
-- Chart images hosted by Herald, when several replicas serve the links
-- (the PostgreSQL store); a single Herald on SQLite keeps them as files.
CREATE TABLE chart_images (
    id         TEXT   PRIMARY KEY,
    png        BLOB   NOT NULL,
    saved_at   BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX chart_images_expires ON chart_images (expires_at);

-- +goose Down
DROP TABLE chart_images;
