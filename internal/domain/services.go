package domain

import (
	"context"
	"io"
	"time"
)

// JobStore keeps job and variant records.
type JobStore interface {
	CreateJob(ctx context.Context, j *Job) error
	// CreateWaitedJob is CreateJob committed lazily, for a job whose id
	// nobody learns before it has ended (a ?url= request's): its end's
	// commit makes the record durable.
	CreateWaitedJob(ctx context.Context, j *Job) error
	Job(ctx context.Context, id string) (*Job, error) // ENotFound when missing
	Jobs(ctx context.Context, f JobFilter) ([]*Job, error)
	DeleteJob(ctx context.Context, id string) error
	StartJob(ctx context.Context, id string) error
	// ClaimJob starts a job that has not ended, as StartJob, and returns it
	// with its variants; a job that has ended comes back unchanged.
	ClaimJob(ctx context.Context, id string) (*Job, error)
	SetSource(ctx context.Context, id string, s Source) error
	PutVariant(ctx context.Context, id string, v Variant) error // upsert by index
	// FinishJob records the variants given (if any) and marks the job done,
	// at once.
	FinishJob(ctx context.Context, id string, vs ...Variant) error
	FailJob(ctx context.Context, id string, e *Error) error
	// NoteAttempt records why an attempt of an unfinished job failed, shown
	// as its error until it ends.
	NoteAttempt(ctx context.Context, id string, e *Error) error
	// Unfinished returns jobs still queued or processing that were created
	// before the given age, oldest first, after the job with id after ("" from
	// the first).
	Unfinished(ctx context.Context, olderThan time.Duration, after string, limit int) ([]*Job, error)
	// Requeued counts one more re-queueing of a job and returns the count.
	Requeued(ctx context.Context, id string) (int, error)
	// Announce tells those waiting on a job that something of it changed
	// that its rows do not show: a thumbnail was made.
	Announce(ctx context.Context, id string) error
}

// JobFilter selects jobs for a listing: newest first, or with BatchID in
// submission order.
type JobFilter struct {
	BatchID  string
	Status   Status
	Limit    int
	Before   string // job id: list jobs created before it
	After    string // job id: with BatchID, list jobs after it in submission order
	Variants bool   // load each job's variants too
	Recent   bool   // with BatchID: most recently finished first
	Alone    bool   // without BatchID: only jobs that belong to no batch
}

// Enqueuer puts jobs on the work queue, on the queue of their Priority.
type Enqueuer interface {
	Enqueue(ctx context.Context, j *Job) error
}

// ThumbRequest asks for the thumbnail Key of job JobID, made from its
// stored image From (a variant's or the source's file).
type ThumbRequest struct {
	JobID string `json:"job_id"`
	Key   string `json:"key"`
	From  string `json:"from"`
}

// ThumbAsker asks a worker for a thumbnail a page shows and does not find:
// a job a person waited on has its thumbnails made only when a page first
// asks for them.
type ThumbAsker interface {
	AskThumb(ctx context.Context, r ThumbRequest) error
}

// Priority picks the queue a job runs on.
type Priority int

// Priorities, highest first.
const (
	PriorityInteractive Priority = iota // a person waits on a page
	PriorityDefault                     // API jobs
	PriorityBatch                       // bulk datasets
)

// Blobs keeps image bytes under string keys.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error) // ENotFound when missing
	Delete(ctx context.Context, key string) error
}

// Change says that a job changed (its status, its source, a variant
// written), and so did its batch when BatchID is set.
type Change struct {
	JobID   string
	BatchID string
	Ended   bool // the job is done or failed
}

// ChangeSink receives news of changed jobs from the store.
type ChangeSink interface {
	Changed(c Change)
	// Resync says that news may have been missed (the store's listener has
	// just connected or reconnected): anything may have changed.
	Resync()
}
