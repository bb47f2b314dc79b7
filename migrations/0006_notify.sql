-- +goose Up
-- Every change to a job, and every variant written, is announced on the
-- job_changed channel with the job's id and its batch's. The api listens, so
-- a waiting ?url= request or an open page learns of it at once instead of
-- polling. NOTIFY is delivered at commit: whoever reads on the news sees the
-- change. A row's insert is not announced: nobody waits for a job that does
-- not exist yet, and a batch's COPY of its jobs stays one statement.

-- +goose StatementBegin
CREATE FUNCTION notify_job_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('job_changed', json_build_object('job', NEW.id, 'batch', NEW.batch_id)::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION notify_variant_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('job_changed', json_build_object('job', NEW.job_id)::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER jobs_notify AFTER UPDATE ON jobs
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION notify_job_changed();
CREATE TRIGGER variants_notify AFTER INSERT OR UPDATE ON variants
    FOR EACH ROW EXECUTE FUNCTION notify_variant_written();
