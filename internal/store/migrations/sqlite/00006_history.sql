-- +goose Up
-- The history of what the collectors gather (Docker statistics, script
-- checks): raw samples, 5-minute and 1-hour rollups. Times are Unix
-- nanoseconds.
--
-- Layout. A collector writes one sample of every series each minute. In
-- tables ordered by series first, that minute's samples and buckets would
-- land at the end of each series' range: one page per series and table,
-- three pages (12 KiB) of WAL a sample once every series has pages of its
-- own (200 us a sample, measured with 3000 series and a day of history).
-- So the tables written every minute are ordered by time first and series
-- second, and a minute's writes land together at their end; queries visit
-- each (time, series) key they need (few series) or scan the time range
-- (most series). The 1-hour rollup, kept longest and read over the longest
-- windows, is ordered by series, and written once an hour.
-- No foreign keys: a series is deleted when history_latest says all its
-- data is older than every cut, and checking a key ordered by time would
-- read the whole table.

-- One row per series. key is series.Key (name{a="1",b="2"}, labels
-- sorted): what a sample's series is looked up by. labels is the same
-- labels as a JSON object, which label matchers are applied to.
CREATE TABLE history_series (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    name   TEXT NOT NULL,
    key    TEXT NOT NULL UNIQUE,
    labels TEXT NOT NULL
);
CREATE INDEX history_series_name ON history_series (name);

-- The newest sample of each series (v NULL for NaN): small, so rewriting
-- all of it every minute costs few pages.
CREATE TABLE history_latest (
    series_id BIGINT PRIMARY KEY,
    t         BIGINT NOT NULL,
    v         DOUBLE PRECISION
) WITHOUT ROWID;

-- Raw samples, v NULL for NaN (no value, such as a health of "none"). b is
-- the start of the minute t is in: a collector's round is written in key
-- order at the end, and a query visits (b, series) keys. WITHOUT ROWID stores a row once, in its key's b-tree, rather than
-- in the table and again in an index; PostgreSQL's is a plain table with
-- the same primary key.
CREATE TABLE history_raw (
    b         BIGINT NOT NULL,
    series_id BIGINT NOT NULL,
    t         BIGINT NOT NULL,
    v         DOUBLE PRECISION,
    PRIMARY KEY (b, series_id, t)
) WITHOUT ROWID;

-- Rollups: one row per bucket (t, its start, aligned on the Unix epoch)
-- and series, of the finite samples. The sum and the count are kept
-- rather than the average so that partial buckets merge exactly; first and
-- last are the values at first_t and last_t, so that late samples merge in
-- time order. 5-minute buckets are updated as samples are written.
CREATE TABLE history_5m (
    t         BIGINT NOT NULL,
    series_id BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    sum_v     DOUBLE PRECISION,
    min_v     DOUBLE PRECISION,
    max_v     DOUBLE PRECISION,
    first_t   BIGINT NOT NULL,
    first_v   DOUBLE PRECISION,
    last_t    BIGINT NOT NULL,
    last_v    DOUBLE PRECISION,
    PRIMARY KEY (t, series_id)
) WITHOUT ROWID;

-- 1-hour buckets are rolled up from the 5-minute ones once the hour is
-- over (history_marks 'rolled' and 'rolling'); a sample for an hour
-- already rolled up goes into both.
CREATE TABLE history_1h (
    series_id BIGINT NOT NULL,
    t         BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    sum_v     DOUBLE PRECISION,
    min_v     DOUBLE PRECISION,
    max_v     DOUBLE PRECISION,
    first_t   BIGINT NOT NULL,
    first_v   DOUBLE PRECISION,
    last_t    BIGINT NOT NULL,
    last_v    DOUBLE PRECISION,
    PRIMARY KEY (series_id, t)
) WITHOUT ROWID;

-- Marks the history keeps: 'rolled', the hour before which 1-hour buckets
-- are rolled up, and 'rolling', the last series id rolled up of that hour
-- (in t, though not a time); 'cut raw', 'cut 5m', 'cut 1h', where
-- PruneHistory last cut each resolution (older data is gone, so a query
-- reaching further back uses a coarser one).
CREATE TABLE history_marks (
    name TEXT   PRIMARY KEY,
    t    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE history_marks;
DROP TABLE history_1h;
DROP TABLE history_5m;
DROP TABLE history_raw;
DROP TABLE history_latest;
DROP TABLE history_series;
