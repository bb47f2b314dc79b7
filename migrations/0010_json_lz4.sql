-- +goose Up
-- The rest of the JSON kept in rows that can be large — a labelled job's
-- spec (its source's objects), a dataset's record and its images' — is
-- compressed with lz4 too, as variants' labels are since 0008: half the
-- CPU of pglz for a dataset batch's files or a spec of 150 objects. Only
-- values written from now on are; a server built without lz4 keeps pglz.
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE jobs ALTER COLUMN spec SET COMPRESSION lz4, ALTER COLUMN dataset SET COMPRESSION lz4;
    ALTER TABLE batches ALTER COLUMN spec SET COMPRESSION lz4, ALTER COLUMN dataset SET COMPRESSION lz4,
        ALTER COLUMN skipped SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;
-- +goose StatementEnd
