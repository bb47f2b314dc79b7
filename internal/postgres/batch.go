package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/augment-ml/augment/internal/domain"
)

// CreateBatch records a batch and all its jobs in one transaction, so a
// batch is either whole or absent. Jobs are copied in bulk. A job is
// queued, or done already when it makes no variants (a dataset's image
// copied through). A job without a spec takes the batch's.
func (db *DB) CreateBatch(ctx context.Context, b *domain.Batch, jobs []*domain.Job) error {
	spec, err := json.Marshal(b.Spec)
	if err != nil {
		return fmt.Errorf("postgres: batch spec: %w", err)
	}
	skipped, err := json.Marshal(b.Skipped)
	if err != nil {
		return fmt.Errorf("postgres: batch skipped: %w", err)
	}
	var dataset []byte
	if b.Dataset != nil {
		dataset = b.Dataset
	}
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO batches (id, spec, total, skipped, dataset) VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
			b.ID, spec, len(jobs), skipped, dataset).Scan(&b.CreatedAt)
		if err != nil {
			return fmt.Errorf("postgres: create batch: %w", err)
		}
		b.Total, b.Status, b.Counts = len(jobs), domain.StatusRunning, domain.Counts{}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"jobs"},
			[]string{"id", "batch_id", "seq", "stem", "seed_key", "priority", "status", "source_url", "source_name", "source_key",
				"source_width", "source_height", "source_format", "source_bytes", "spec", "dataset", "created_at", "finished_at"},
			pgx.CopyFromSlice(len(jobs), func(i int) ([]any, error) {
				j := jobs[i]
				j.BatchID, j.CreatedAt, j.Priority = b.ID, b.CreatedAt, domain.PriorityBatch
				if j.Spec.Pipeline == nil {
					j.Spec = b.Spec // a job without a spec of its own
				}
				js := spec
				if j.Spec.Labels != nil || j.Spec.Mask != nil || j.Spec.Variants != b.Spec.Variants {
					if js, err = json.Marshal(j.Spec); err != nil {
						return nil, fmt.Errorf("postgres: job spec: %w", err)
					}
				}
				var finished *time.Time
				if j.Status = domain.StatusQueued; j.Spec.Variants == 0 {
					j.Status, finished, j.FinishedAt = domain.StatusDone, &b.CreatedAt, &b.CreatedAt
					b.Counts.Done++
				} else {
					b.Counts.Queued++
				}
				var ds []byte
				if j.Dataset != nil {
					ds = j.Dataset
				}
				s := j.Source
				return []any{j.ID, b.ID, j.Seq, j.Stem, j.SeedKey, int16(j.Priority), string(j.Status), s.URL, s.Name, s.Key,
					s.Width, s.Height, s.Format, s.Bytes, js, ds, b.CreatedAt, finished}, nil
			}))
		if err != nil {
			return fmt.Errorf("postgres: create batch jobs: %w", err)
		}
		if int(n) != len(jobs) {
			return fmt.Errorf("postgres: created %d of %d batch jobs", n, len(jobs))
		}
		if b.Counts.Done == len(jobs) {
			b.Status, b.FinishedAt = domain.StatusDone, &b.CreatedAt
		}
		_, err = tx.Exec(ctx, `INSERT INTO job_events (job_id, status) SELECT id, status FROM jobs WHERE batch_id = $1`, b.ID)
		return err
	})
}

// BatchDataset returns a dataset batch's whole record, nil for others.
func (db *DB) BatchDataset(ctx context.Context, id string) (json.RawMessage, error) {
	if uuid.Validate(id) != nil {
		return nil, notFound("batch", id)
	}
	var rec []byte
	err := db.pool.QueryRow(ctx, `SELECT dataset FROM batches WHERE id = $1`, id).Scan(&rec)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("batch", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: batch dataset: %w", err)
	}
	return rec, nil
}

// DeleteBatch removes a batch and its jobs.
func (db *DB) DeleteBatch(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM batches WHERE id = $1`, id)
	return err
}

// ExpiredBatches lists batches created and ended longer than olderThan ago:
// every job ended, the last before then.
func (db *DB) ExpiredBatches(ctx context.Context, olderThan time.Duration, limit int) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT b.id::text FROM batches b WHERE b.created_at < now() - $1::interval
		AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.batch_id = b.id
			AND (j.finished_at IS NULL OR j.finished_at >= now() - $1::interval))
		ORDER BY b.created_at LIMIT $2`, olderThan, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: expired batches: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// batchQuery reads batches with their jobs counted; SKIPPED is the whole
// report for one batch, and the report without its names for a listing.
// Of a dataset's record it reads the summary and plan, and counts the
// files kept.
const batchQuery = `SELECT b.id, b.spec, b.total, SKIPPED, b.created_at,
	CASE WHEN b.dataset IS NULL THEN NULL ELSE jsonb_build_object('summary', b.dataset->'summary', 'plan', b.dataset->'plan') END,
	coalesce(jsonb_array_length(b.dataset->'files'), 0),
	count(*) FILTER (WHERE j.status = 'queued'),
	count(*) FILTER (WHERE j.status = 'processing'),
	count(*) FILTER (WHERE j.status = 'done'),
	count(*) FILTER (WHERE j.status = 'failed'),
	max(j.finished_at)
	FROM batches b LEFT JOIN jobs j ON j.batch_id = b.id`

// Batch returns a batch with its jobs counted by status.
func (db *DB) Batch(ctx context.Context, id string) (*domain.Batch, error) {
	if uuid.Validate(id) != nil {
		return nil, notFound("batch", id)
	}
	q := strings.Replace(batchQuery, "SKIPPED", "b.skipped", 1)
	b, err := scanBatch(db.pool.QueryRow(ctx, q+` WHERE b.id = $1 GROUP BY b.id`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("batch", id)
	}
	return b, err
}

// Batches lists batches, newest first.
func (db *DB) Batches(ctx context.Context, limit int, before string) ([]*domain.Batch, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q, args := strings.Replace(batchQuery, "SKIPPED", "b.skipped - 'first'", 1), []any{limit}
	if before != "" {
		if uuid.Validate(before) != nil {
			return nil, domain.Errorf(domain.EInvalid, "The before parameter must be a batch id.")
		}
		q += ` WHERE (b.created_at, b.id) < (SELECT created_at, id FROM batches WHERE id = $2)`
		args = append(args, before)
	}
	rows, err := db.pool.Query(ctx, q+` GROUP BY b.id ORDER BY b.created_at DESC, b.id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: batches: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Batch, error) { return scanBatch(r) })
}

func scanBatch(r pgx.Row) (*domain.Batch, error) {
	var (
		b             domain.Batch
		spec, skipped []byte
		last          *time.Time
	)
	err := r.Scan(&b.ID, &spec, &b.Total, &skipped, &b.CreatedAt, &b.Dataset, &b.Files,
		&b.Counts.Queued, &b.Counts.Processing, &b.Counts.Done, &b.Counts.Failed, &last)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(spec, &b.Spec); err != nil {
		return nil, fmt.Errorf("postgres: batch %s spec: %w", b.ID, err)
	}
	if err := json.Unmarshal(skipped, &b.Skipped); err != nil {
		return nil, fmt.Errorf("postgres: batch %s skipped: %w", b.ID, err)
	}
	b.Status = domain.StatusRunning
	if b.Counts.Done+b.Counts.Failed == b.Total {
		b.Status, b.FinishedAt = domain.StatusDone, last
	}
	return &b, nil
}
