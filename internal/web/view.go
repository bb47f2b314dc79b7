package web

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/domain"
)

type jobJSON struct {
	ID         string        `json:"id"`
	Status     domain.Status `json:"status"`
	BatchID    *string       `json:"batch_id"`
	Source     sourceJSON    `json:"source"`
	Spec       domain.Spec   `json:"spec"`
	Variants   []variantJSON `json:"variants"`
	Error      *errorJSON    `json:"error"`
	CreatedAt  time.Time     `json:"created_at"`
	StartedAt  *time.Time    `json:"started_at"`
	FinishedAt *time.Time    `json:"finished_at"`
}

type sourceJSON struct {
	domain.Source
	Href     string     `json:"href,omitempty"`
	Thumb    *thumbJSON `json:"thumb,omitempty"`
	MaskHref string     `json:"mask_href,omitempty"` // the semantic mask the job was given
}

type variantJSON struct {
	Index  int             `json:"index"`
	Href   string          `json:"href"`
	Thumb  *thumbJSON      `json:"thumb"`
	Width  int             `json:"width"`
	Height int             `json:"height"`
	Format string          `json:"format"`
	Bytes  int64           `json:"bytes"`
	Ops    json.RawMessage `json:"ops"`
	Labels *labelsJSON     `json:"labels,omitempty"`
}

// labelsJSON is a variant's labels as API.md shows them: its objects in its
// own pixels, those it dropped and why, and where its mask is.
type labelsJSON struct {
	Objects  []domain.Object  `json:"objects"`
	Dropped  []domain.Dropped `json:"dropped"`
	MaskHref string           `json:"mask_href,omitempty"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// jobView shapes a job as API.md describes it.
func jobView(j *domain.Job) jobJSON {
	v := jobJSON{
		ID: j.ID, Status: j.Status, Source: sourceJSON{Source: j.Source}, Spec: j.Spec,
		Variants: make([]variantJSON, len(j.Variants)), CreatedAt: j.CreatedAt,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt,
	}
	if j.BatchID != "" {
		v.BatchID = &j.BatchID
	}
	if j.Source.Key != "" {
		v.Source.Href = "/api/v1/jobs/" + j.ID + "/source"
		if j.Source.Width > 0 {
			v.Source.Thumb = thumbOf(v.Source.Href, j.Source.Width, j.Source.Height)
		}
	}
	// NOTE: a failed job's mask is deleted; one from a URL is there once the
	// worker has it, before its first variant
	if m := j.Spec.Mask; m != nil && j.Status != domain.StatusFailed && (m.URL == "" || len(j.Variants) > 0) {
		v.Source.MaskHref = "/api/v1/jobs/" + j.ID + "/mask"
	}
	for i, x := range j.Variants {
		href := fmt.Sprintf("/api/v1/jobs/%s/variants/%d", j.ID, x.Index)
		v.Variants[i] = variantJSON{
			Index: x.Index, Href: href, Thumb: thumbOf(href, x.Width, x.Height),
			Width: x.Width, Height: x.Height, Format: x.Format, Bytes: x.Bytes, Ops: x.Ops,
		}
		if l := x.Labels; l != nil {
			v.Variants[i].Labels = &labelsJSON{Objects: l.Objects, Dropped: l.Dropped}
			if l.MaskKey != "" {
				v.Variants[i].Labels.MaskHref = href + "/mask"
			}
		}
	}
	if j.Error != nil {
		v.Error = &errorJSON{Code: j.Error.Code, Message: j.Error.Message}
	}
	return v
}

type batchJSON struct {
	ID              string         `json:"id"`
	Status          domain.Status  `json:"status"`
	Total           int            `json:"total"`
	Counts          domain.Counts  `json:"counts"`
	Spec            domain.Spec    `json:"spec"`
	SkippedTotal    int            `json:"skipped_total"`
	SkippedByReason map[string]int `json:"skipped_by_reason"`
	CreatedAt       time.Time      `json:"created_at"`
	FinishedAt      *time.Time     `json:"finished_at"`
	ArchiveHref     string         `json:"archive_href"`
	JobsHref        string         `json:"jobs_href"`
	*datasetJSON                   // for an archive: what was found in it
}

// datasetJSON is what a batch's archive held, as the 202 answer and the
// batch say it: its format, images per split, objects per class, the first
// warnings, and the plan.
type datasetJSON struct {
	Format        dataset.Format    `json:"format"`
	Splits        map[string]int    `json:"splits"`
	Classes       map[string]int    `json:"classes"`
	Warnings      []dataset.Warning `json:"warnings"`
	WarningsTotal int               `json:"warnings_total"`
	Plan          dataset.Plan      `json:"plan"`
}

// datasetView reads the summary and plan of a batch's dataset record.
func datasetView(raw json.RawMessage) *datasetJSON {
	if raw == nil {
		return nil
	}
	var rec struct {
		Summary dataset.Summary `json:"summary"`
		Plan    dataset.Plan    `json:"plan"`
	}
	if json.Unmarshal(raw, &rec) != nil {
		return nil
	}
	s := rec.Summary
	return &datasetJSON{Format: s.Format, Splits: s.Splits, Classes: s.Classes, Warnings: s.Warnings,
		WarningsTotal: s.WarningsTotal, Plan: rec.Plan}
}

// batchDetailJSON is one batch as GET /api/v1/batches/{id} answers it: with
// the first skipped entries by name. Listings leave them out.
type batchDetailJSON struct {
	batchJSON
	Skipped []domain.Skipped `json:"skipped"`
}

// batchView shapes a batch as API.md describes it, for a listing.
func batchView(b *domain.Batch) batchJSON {
	v := batchJSON{
		ID: b.ID, Status: b.Status, Total: b.Total, Counts: b.Counts, Spec: b.Spec,
		SkippedTotal: b.Skipped.Total, SkippedByReason: b.Skipped.ByReason,
		CreatedAt: b.CreatedAt, FinishedAt: b.FinishedAt,
		ArchiveHref: "/api/v1/batches/" + b.ID + "/archive", JobsHref: "/api/v1/batches/" + b.ID + "/jobs",
		datasetJSON: datasetView(b.Dataset),
	}
	if v.SkippedByReason == nil {
		v.SkippedByReason = map[string]int{}
	}
	return v
}

// batchDetail shapes one batch with the skipped entries it names.
func batchDetail(b *domain.Batch) batchDetailJSON {
	v := batchDetailJSON{batchJSON: batchView(b), Skipped: b.Skipped.First}
	if v.Skipped == nil {
		v.Skipped = []domain.Skipped{}
	}
	return v
}
