package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Batch is a set of jobs submitted together.
type Batch struct {
	ID      string
	Status  Status // running or done
	Total   int
	Counts  Counts
	Spec    Spec
	Skipped SkipReport // archive entries that were not images
	// Dataset is a dataset batch's record (dataset.Record), nil for plain
	// images and URLs. CreateBatch keeps it whole; Batch and Batches give
	// its summary and plan only, and BatchDataset the whole.
	Dataset json.RawMessage
	// Files is how many files of its dataset the batch keeps beside its
	// jobs, at BatchFileKey(ID, 0 … Files-1).
	Files      int
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// BatchFileKey is where a batch keeps file i of its dataset (a COCO file,
// a README) to copy it into the result.
func BatchFileKey(batchID string, i int) string {
	return fmt.Sprintf("batches/%s/files/%d", batchID, i)
}

// Counts tallies a batch's jobs by status.
type Counts struct {
	Queued     int `json:"queued"`
	Processing int `json:"processing"`
	Done       int `json:"done"`
	Failed     int `json:"failed"`
}

// Skipped is an archive entry left out of a batch, and why.
type Skipped struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// SkipReport sums up the entries left out of a batch: how many, how many
// for each reason, and the first MaxSkippedListed by name. An archive of a
// million empty files makes a report of a few lines, not of a million.
type SkipReport struct {
	Total    int            `json:"total"`
	ByReason map[string]int `json:"by_reason"`
	First    []Skipped      `json:"first"`
}

// MaxSkippedListed is how many skipped entries a SkipReport names.
const MaxSkippedListed = 100

// Add counts one skipped entry, and names it while the list is short.
func (r *SkipReport) Add(name, reason string) {
	r.Total++
	if r.ByReason == nil {
		r.ByReason = map[string]int{}
	}
	r.ByReason[reason]++
	if len(r.First) < MaxSkippedListed {
		r.First = append(r.First, Skipped{Name: name, Reason: reason})
	}
}

// BatchStore keeps batch records.
type BatchStore interface {
	// CreateBatch records the batch and all its jobs at once, or nothing.
	CreateBatch(ctx context.Context, b *Batch, jobs []*Job) error
	DeleteBatch(ctx context.Context, id string) error
	Batch(ctx context.Context, id string) (*Batch, error) // ENotFound when missing
	Batches(ctx context.Context, limit int, before string) ([]*Batch, error)
	// BatchDataset returns a dataset batch's whole record, nil for others.
	BatchDataset(ctx context.Context, id string) (json.RawMessage, error)
}

// VersionStore keeps the versions of what the workers run on.
type VersionStore interface {
	Versions(ctx context.Context) (map[string]string, error)
}
