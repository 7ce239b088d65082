-- +goose Up
-- One row that readiness rewrites to check that the database still takes
-- writes (a full disk, a read-only mount) after a write failed.
CREATE TABLE health (
    id         INTEGER PRIMARY KEY,
    checked_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE health;
