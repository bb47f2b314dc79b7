-- +goose Up
-- The EXIF orientation the worker applied when it decoded the source (0 or 1:
-- none): labels are in the pixels of the image as displayed, after it.
ALTER TABLE jobs ADD COLUMN source_orientation smallint NOT NULL DEFAULT 0;
