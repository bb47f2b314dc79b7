-- +goose Up
-- The queue a job runs on (its priority: 0 interactive, 1 default, 2 batch),
-- so the sweeper looks for its task where it is, and how many times the
-- sweeper has queued it again after its task was archived or lost.
ALTER TABLE jobs
    ADD COLUMN priority smallint NOT NULL DEFAULT 1,
    ADD COLUMN requeues integer NOT NULL DEFAULT 0;
UPDATE jobs SET priority = 2 WHERE batch_id IS NOT NULL;

-- The sweeper pages through unfinished jobs; RETENTION finds ended ones by age.
CREATE INDEX jobs_unfinished ON jobs (created_at, id) WHERE status IN ('queued', 'processing');
CREATE INDEX jobs_finished_at ON jobs (finished_at) WHERE finished_at IS NOT NULL;
