-- +goose Up
CREATE TABLE batches (
    id          uuid PRIMARY KEY,
    spec        jsonb NOT NULL,
    total       integer NOT NULL,
    skipped     jsonb NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batches_created_at ON batches (created_at DESC, id DESC);

-- A batch's jobs keep their submission order (seq) and a stem, unique within
-- the batch, that names their folder in the result archive.
ALTER TABLE jobs
    ADD COLUMN batch_id uuid REFERENCES batches (id) ON DELETE CASCADE,
    ADD COLUMN seq      integer NOT NULL DEFAULT 0,
    ADD COLUMN stem     text NOT NULL DEFAULT '';
CREATE INDEX jobs_batch_seq ON jobs (batch_id, seq) WHERE batch_id IS NOT NULL;
CREATE UNIQUE INDEX jobs_batch_stem ON jobs (batch_id, stem) WHERE batch_id IS NOT NULL;
