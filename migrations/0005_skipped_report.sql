-- +goose Up
-- A batch keeps a report of the archive entries it left out (how many, how
-- many for each reason, the first 100 by name) instead of every one of them.
UPDATE batches SET skipped = jsonb_build_object(
    'total', jsonb_array_length(skipped),
    'by_reason', coalesce((SELECT jsonb_object_agg(reason, n) FROM (
        SELECT e ->> 'reason' AS reason, count(*) AS n FROM jsonb_array_elements(skipped) e GROUP BY 1) r), '{}'::jsonb),
    'first', jsonb_path_query_array(skipped, '$[0 to 99]'))
WHERE jsonb_typeof(skipped) = 'array';
ALTER TABLE batches ALTER COLUMN skipped SET DEFAULT '{"total": 0, "by_reason": {}, "first": []}';
