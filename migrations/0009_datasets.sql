-- +goose Up
-- A dataset batch keeps its dataset's record (its format and classes, what
-- writing it back needs, the plan, what reading it found), and each of its
-- jobs the record of its image (path, split, the format's own fields); both
-- are null for batches of plain images and URLs.
ALTER TABLE batches ADD COLUMN dataset jsonb;
ALTER TABLE jobs ADD COLUMN dataset jsonb;

-- What the workers run on (libvips' version), for the report of a dataset.
CREATE TABLE versions (
    component  text PRIMARY KEY,
    version    text NOT NULL,
    seen_at    timestamptz NOT NULL DEFAULT now()
);
