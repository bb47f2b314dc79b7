package domain

import (
	"context"
	"time"
)

// Batch is a set of jobs submitted together.
type Batch struct {
	ID         string
	Status     Status // running or done
	Total      int
	Counts     Counts
	Spec       Spec
	Skipped    []Skipped // archive entries that were not images
	CreatedAt  time.Time
	FinishedAt *time.Time
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

// BatchStore keeps batch records.
type BatchStore interface {
	// CreateBatch records the batch and all its jobs at once, or nothing.
	CreateBatch(ctx context.Context, b *Batch, jobs []*Job) error
	DeleteBatch(ctx context.Context, id string) error
	Batch(ctx context.Context, id string) (*Batch, error) // ENotFound when missing
	Batches(ctx context.Context, limit int, before string) ([]*Batch, error)
}
