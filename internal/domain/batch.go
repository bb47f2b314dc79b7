package domain

import "time"

// Batch is a set of jobs submitted together.
type Batch struct {
	ID         string
	Status     Status // running or done
	Total      int
	Counts     Counts
	Spec       Spec
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
