-- +goose Up
CREATE TABLE jobs (
    id             uuid PRIMARY KEY,
    status         text NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed')),
    source_url     text NOT NULL DEFAULT '',
    source_name    text NOT NULL DEFAULT '',
    source_key     text NOT NULL DEFAULT '',
    source_width   integer NOT NULL DEFAULT 0,
    source_height  integer NOT NULL DEFAULT 0,
    source_format  text NOT NULL DEFAULT '',
    source_bytes   bigint NOT NULL DEFAULT 0,
    spec           jsonb NOT NULL,
    error_code     text,
    error_message  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz
);
CREATE INDEX jobs_created_at ON jobs (created_at DESC, id DESC);

CREATE TABLE variants (
    job_id  uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    idx     integer NOT NULL,
    width   integer NOT NULL,
    height  integer NOT NULL,
    format  text NOT NULL,
    bytes   bigint NOT NULL,
    ops     jsonb NOT NULL,
    key     text NOT NULL,
    PRIMARY KEY (job_id, idx)
);

-- Every status a job passes through, with when and why.
CREATE TABLE job_events (
    id      bigserial PRIMARY KEY,
    job_id  uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    status  text NOT NULL,
    detail  text NOT NULL DEFAULT '',
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_events_job ON job_events (job_id, id);
