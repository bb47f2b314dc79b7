-- +goose Up
-- The source's name in its batch (its path in the archive, or its URL), which
-- its variants draw from beside the seed; '' for a job on its own and for the
-- jobs recorded before, which keep drawing as they did.
ALTER TABLE jobs ADD COLUMN seed_key text NOT NULL DEFAULT '';
