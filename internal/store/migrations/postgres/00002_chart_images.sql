-- +goose Up
-- Chart images hosted by Herald: every replica serves the links, whichever
-- drew the chart.
CREATE TABLE chart_images (
    id         TEXT   PRIMARY KEY,
    png        BYTEA  NOT NULL,
    saved_at   BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX chart_images_expires ON chart_images (expires_at);

-- +goose Down
DROP TABLE chart_images;
