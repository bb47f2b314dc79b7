-- +goose Up
-- A job's news says whether the job has ended (done or failed), so a
-- ?url= request waiting for the end is woken by that news alone and reads
-- the job once, instead of reading its status at every change on the way
-- (the claim, the source, each variant).

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION notify_job_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('job_changed', json_build_object('job', NEW.id, 'batch', NEW.batch_id,
        'ended', NEW.status IN ('done', 'failed'))::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
