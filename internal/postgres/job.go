package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/augment-ml/augment/internal/domain"
)

const jobColumns = `id, coalesce(batch_id::text, ''), seq, stem, seed_key, priority, requeues, status, source_url, source_name, source_key,
	source_width, source_height, source_format, source_bytes, source_orientation, spec, error_code, error_message,
	created_at, started_at, finished_at, dataset`

// CreateJob records a new queued job, in one statement.
func (db *DB) CreateJob(ctx context.Context, j *domain.Job) error {
	return db.createJob(ctx, j, false)
}

// CreateWaitedJob is CreateJob committed lazily (lazyCommit), for a job
// whose id is shown only once it has ended.
func (db *DB) CreateWaitedJob(ctx context.Context, j *domain.Job) error {
	return db.createJob(ctx, j, true)
}

func (db *DB) createJob(ctx context.Context, j *domain.Job, lazy bool) error {
	spec, err := json.Marshal(j.Spec)
	if err != nil {
		return fmt.Errorf("postgres: job spec: %w", err)
	}
	b := &pgx.Batch{}
	if lazy {
		b.Queue(lazyCommit)
	}
	b.Queue(`WITH j AS (INSERT INTO jobs (id, status, priority, source_url, source_name, source_key, spec, seed_key)
			VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7) RETURNING id, created_at),
		e AS (INSERT INTO job_events (job_id, status) SELECT id, 'queued' FROM j)
		SELECT created_at FROM j`,
		j.ID, j.Priority, j.Source.URL, j.Source.Name, j.Source.Key, spec, j.SeedKey).QueryRow(func(row pgx.Row) error {
		return row.Scan(&j.CreatedAt)
	})
	err = db.pool.SendBatch(ctx, b).Close()
	if err != nil {
		return fmt.Errorf("postgres: create job: %w", err)
	}
	j.Status = domain.StatusQueued
	return nil
}

// Job returns the job with its variants in index order, in one round trip.
func (db *DB) Job(ctx context.Context, id string) (*domain.Job, error) {
	if uuid.Validate(id) != nil {
		return nil, notFound("job", id)
	}
	return db.jobWithVariants(ctx, id, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, false)
}

// jobWithVariants sends query, which returns the job with this id (as
// jobColumns, taking the id as $1), and the query of its variants together,
// and reads both.
func (db *DB) jobWithVariants(ctx context.Context, id, query string, lazy bool) (*domain.Job, error) {
	b := &pgx.Batch{}
	if lazy {
		b.Queue(lazyCommit)
	}
	b.Queue(query, id)
	b.Queue(variantsQuery, []string{id})
	br := db.pool.SendBatch(ctx, b)
	defer br.Close()
	if lazy {
		if _, err := br.Exec(); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	j, err := scanJob(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("job", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("postgres: variants: %w", err)
	}
	if err := scanVariants(rows, map[string]*domain.Job{id: j}); err != nil {
		return nil, err
	}
	return j, br.Close()
}

// Jobs lists jobs: newest first, or a batch's in submission order.
func (db *DB) Jobs(ctx context.Context, f domain.JobFilter) ([]*domain.Job, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	for _, id := range []string{f.Before, f.After, f.BatchID} {
		if id != "" && uuid.Validate(id) != nil {
			return nil, domain.Errorf(domain.EInvalid, "%q is not an id.", id)
		}
	}
	q := `SELECT ` + jobColumns + ` FROM jobs WHERE ($1 = '' OR status = $1)`
	args := []any{string(f.Status), f.Limit}
	if f.Alone && f.BatchID == "" {
		q += ` AND batch_id IS NULL`
	}
	switch {
	case f.BatchID != "":
		args = append(args, f.BatchID)
		q += ` AND batch_id = $3`
		if f.After != "" {
			args = append(args, f.After)
			q += ` AND seq > (SELECT seq FROM jobs WHERE id = $4)`
		}
		if f.Recent {
			q += ` ORDER BY finished_at DESC NULLS LAST, seq LIMIT $2`
		} else {
			q += ` ORDER BY seq LIMIT $2`
		}
	case f.Before != "":
		args = append(args, f.Before)
		q += ` AND (created_at, id) < (SELECT created_at, id FROM jobs WHERE id = $3) ORDER BY created_at DESC, id DESC LIMIT $2`
	default:
		q += ` ORDER BY created_at DESC, id DESC LIMIT $2`
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: jobs: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Job, error) { return scanJob(r) })
	if err != nil || !f.Variants {
		return jobs, err
	}
	return jobs, db.loadVariants(ctx, jobs)
}

const variantsQuery = `SELECT job_id, idx, width, height, format, bytes, ops, key, labels, mask_key
	FROM variants WHERE job_id = ANY($1) ORDER BY job_id, idx`

// loadVariants fills in the variants of jobs with one query.
func (db *DB) loadVariants(ctx context.Context, jobs []*domain.Job) error {
	byID := make(map[string]*domain.Job, len(jobs))
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		byID[j.ID], ids[i] = j, j.ID
	}
	rows, err := db.pool.Query(ctx, variantsQuery, ids)
	if err != nil {
		return fmt.Errorf("postgres: variants: %w", err)
	}
	return scanVariants(rows, byID)
}

// scanVariants reads rows of variantsQuery into the jobs by their id.
func scanVariants(rows pgx.Rows, byID map[string]*domain.Job) error {
	defer rows.Close()
	for rows.Next() {
		var (
			id      string
			v       domain.Variant
			labels  []byte
			maskKey string
		)
		if err := rows.Scan(&id, &v.Index, &v.Width, &v.Height, &v.Format, &v.Bytes, &v.Ops, &v.Key, &labels, &maskKey); err != nil {
			return fmt.Errorf("postgres: variants: %w", err)
		}
		if labels != nil {
			v.Labels = &domain.VariantLabels{}
			if err := json.Unmarshal(labels, v.Labels); err != nil {
				return fmt.Errorf("postgres: variant labels of job %s: %w", id, err)
			}
			v.Labels.MaskKey = maskKey
		}
		byID[id].Variants = append(byID[id].Variants, v)
	}
	return rows.Err()
}

// Unfinished returns jobs still queued or processing that are older than
// olderThan, oldest first, after the job with id after ("" from the first).
func (db *DB) Unfinished(ctx context.Context, olderThan time.Duration, after string, limit int) ([]*domain.Job, error) {
	q, args := `SELECT `+jobColumns+` FROM jobs
		WHERE status IN ('queued', 'processing') AND created_at < now() - $1::interval`, []any{olderThan, limit}
	if after != "" {
		q += ` AND (created_at, id) > (SELECT created_at, id FROM jobs WHERE id = $3)`
		args = append(args, after)
	}
	rows, err := db.pool.Query(ctx, q+` ORDER BY created_at, id LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: unfinished jobs: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Job, error) { return scanJob(r) })
}

// Requeued counts one more re-queueing of a job and returns the count.
func (db *DB) Requeued(ctx context.Context, id string) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `UPDATE jobs SET requeues = requeues + 1 WHERE id = $1 RETURNING requeues`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: requeued: %w", err)
	}
	return n, nil
}

// ExpiredJobs lists jobs outside batches that ended longer than olderThan
// ago, oldest first, with their variants.
func (db *DB) ExpiredJobs(ctx context.Context, olderThan time.Duration, limit int) ([]*domain.Job, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE finished_at < now() - $1::interval AND batch_id IS NULL ORDER BY finished_at LIMIT $2`, olderThan, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: expired jobs: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Job, error) { return scanJob(r) })
	if err != nil {
		return nil, err
	}
	return jobs, db.loadVariants(ctx, jobs)
}

// DeleteJobs removes jobs and their variant records.
func (db *DB) DeleteJobs(ctx context.Context, ids []string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM jobs WHERE id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("postgres: delete jobs: %w", err)
	}
	return nil
}

// DeleteJob removes a job and its variant records.
func (db *DB) DeleteJob(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM jobs WHERE id = $1`, id)
	return err
}

// StartJob marks a queued (or re-delivered) job as processing.
func (db *DB) StartJob(ctx context.Context, id string) error {
	return db.transition(ctx, id, startSet, domain.StatusProcessing, "")
}

const startSet = `status = 'processing', started_at = coalesce(started_at, now())`

// ClaimJob marks a job that has not ended as processing, as StartJob, and
// returns it with the variants an earlier attempt recorded, in one round
// trip, committed lazily (lazyCommit). A job that has ended is returned as
// it is, unchanged.
func (db *DB) ClaimJob(ctx context.Context, id string) (*domain.Job, error) {
	if uuid.Validate(id) != nil {
		return nil, notFound("job", id)
	}
	j, err := db.jobWithVariants(ctx, id, `WITH u AS (UPDATE jobs SET `+startSet+`
			WHERE id = $1 AND status NOT IN ('done', 'failed') RETURNING *),
		e AS (INSERT INTO job_events (job_id, status) SELECT id, 'processing' FROM u)
		SELECT `+jobColumns+` FROM u`, true)
	if domain.ErrorCode(err) == domain.ENotFound {
		return db.Job(ctx, id) // ended (or missing): nothing changes
	}
	return j, err
}

// Announce sends the news a change of the job's rows sends
// (migrations/0006_notify.sql) without one.
func (db *DB) Announce(ctx context.Context, id string) error {
	if _, err := db.pool.Exec(ctx, `SELECT pg_notify($1, json_build_object('job', $2::uuid)::text)`, changesChannel, id); err != nil {
		return fmt.Errorf("postgres: announce: %w", err)
	}
	return nil
}

// SetSource records what the worker learnt of the source image.
func (db *DB) SetSource(ctx context.Context, id string, s domain.Source) error {
	err := db.execLazily(ctx, `UPDATE jobs SET source_name = $2, source_key = $3, source_width = $4,
		source_height = $5, source_format = $6, source_bytes = $7, source_orientation = $8 WHERE id = $1`,
		id, s.Name, s.Key, s.Width, s.Height, s.Format, s.Bytes, s.Orientation)
	if err != nil {
		return fmt.Errorf("postgres: set source: %w", err)
	}
	return nil
}

// PutVariant records variant v of a job, replacing an earlier record of the
// same index, so a retried task writes the same rows.
func (db *DB) PutVariant(ctx context.Context, id string, v domain.Variant) error {
	q, args, err := putVariant(id, v)
	if err != nil {
		return err
	}
	if err := db.execLazily(ctx, q, args...); err != nil {
		return fmt.Errorf("postgres: put variant: %w", err)
	}
	return nil
}

// lazyCommit, first in a batch (one implicit transaction), commits the
// batch without waiting for its WAL to reach the disk: ~0.6 ms less a
// write on a virtual disk. It is for the records a job makes on its way
// (its claim, its source, each variant as it comes): a crash of the
// machine (not of PostgreSQL) may lose the last fraction of a second of
// them, and the job runs again from its task's lease or the sweeper, to
// the same files. It is also for the record of a job nobody learns of
// before its end (CreateWaitedJob). Other submissions and every job's end
// wait for the disk, and the end's commit makes every record before it
// durable too.
const lazyCommit = `SELECT set_config('synchronous_commit', 'off', true)`

// execLazily runs one statement committed lazily (lazyCommit).
func (db *DB) execLazily(ctx context.Context, query string, args ...any) error {
	b := &pgx.Batch{}
	b.Queue(lazyCommit)
	b.Queue(query, args...)
	return db.pool.SendBatch(ctx, b).Close()
}

func putVariant(id string, v domain.Variant) (string, []any, error) {
	var labels []byte
	maskKey := ""
	if v.Labels != nil {
		var err error
		if labels, err = json.Marshal(v.Labels); err != nil {
			return "", nil, fmt.Errorf("postgres: variant labels: %w", err)
		}
		maskKey = v.Labels.MaskKey
	}
	return `INSERT INTO variants (job_id, idx, width, height, format, bytes, ops, key, labels, mask_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (job_id, idx) DO UPDATE SET width = $3, height = $4, format = $5, bytes = $6, ops = $7, key = $8,
			labels = $9, mask_key = $10`,
		[]any{id, v.Index, v.Width, v.Height, v.Format, v.Bytes, v.Ops, v.Key, labels, maskKey}, nil
}

// FinishJob records the variants vs (those not recorded yet, if any) and
// marks the job done, all in one transaction and one round trip.
func (db *DB) FinishJob(ctx context.Context, id string, vs ...domain.Variant) error {
	b := &pgx.Batch{}
	for _, v := range vs {
		q, args, err := putVariant(id, v)
		if err != nil {
			return err
		}
		b.Queue(q, args...)
	}
	q, args := transition(id, `status = 'done', finished_at = now(), error_code = NULL, error_message = NULL`, domain.StatusDone, "")
	b.Queue(q, args...)
	// NOTE: a batch outside a transaction runs as one implicit transaction.
	if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: job done: %w", err)
	}
	return nil
}

// FailJob marks a job failed with a public reason.
func (db *DB) FailJob(ctx context.Context, id string, e *domain.Error) error {
	return db.transition(ctx, id, `status = 'failed', finished_at = now(), error_code = $2, error_message = $3`,
		domain.StatusFailed, e.Code+": "+e.Message, e.Code, e.Message)
}

// NoteAttempt records the error of a failed attempt on a job that will be
// tried again; FinishJob clears it.
func (db *DB) NoteAttempt(ctx context.Context, id string, e *domain.Error) error {
	_, err := db.pool.Exec(ctx, `UPDATE jobs SET error_code = $2, error_message = $3
		WHERE id = $1 AND status NOT IN ('done', 'failed')`, id, e.Code, e.Message)
	if err != nil {
		return fmt.Errorf("postgres: note attempt: %w", err)
	}
	return nil
}

// transition applies set to a job that has not ended and logs the event,
// in one statement.
func (db *DB) transition(ctx context.Context, id, set string, to domain.Status, detail string, args ...any) error {
	q, args := transition(id, set, to, detail, args...)
	if _, err := db.pool.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("postgres: job %s: %w", to, err)
	}
	return nil
}

// transition returns the statement of db.transition and its arguments. A
// job that has already ended is left alone and logs nothing: a redelivered
// task changes nothing.
func transition(id, set string, to domain.Status, detail string, args ...any) (string, []any) {
	n := len(args) + 2
	return fmt.Sprintf(`WITH u AS (UPDATE jobs SET %s WHERE id = $1 AND status NOT IN ('done', 'failed') RETURNING id)
		INSERT INTO job_events (job_id, status, detail) SELECT id, $%d::text, $%d::text FROM u`, set, n, n+1),
		append(append([]any{id}, args...), string(to), detail)
}

func scanJob(r pgx.Row) (*domain.Job, error) {
	var (
		j         domain.Job
		spec      []byte
		code, msg *string
	)
	err := r.Scan(&j.ID, &j.BatchID, &j.Seq, &j.Stem, &j.SeedKey, &j.Priority, &j.Requeues, &j.Status, &j.Source.URL, &j.Source.Name, &j.Source.Key, &j.Source.Width,
		&j.Source.Height, &j.Source.Format, &j.Source.Bytes, &j.Source.Orientation, &spec, &code, &msg, &j.CreatedAt,
		&j.StartedAt, &j.FinishedAt, &j.Dataset)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(spec, &j.Spec); err != nil {
		return nil, fmt.Errorf("postgres: job %s spec: %w", j.ID, err)
	}
	if code != nil {
		j.Error = &domain.Error{Code: *code, Message: *msg}
	}
	return &j, nil
}
