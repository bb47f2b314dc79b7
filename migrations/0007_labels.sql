-- +goose Up
-- A variant's labels in its own pixels (objects kept, objects dropped and
-- why) and where its semantic mask is kept, for jobs whose source had them.
ALTER TABLE variants
    ADD COLUMN labels   jsonb,
    ADD COLUMN mask_key text NOT NULL DEFAULT '';
