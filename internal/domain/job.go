package domain

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Status is where a job or batch stands.
type Status string

// Job statuses.
const (
	StatusQueued     Status = "queued"
	StatusProcessing Status = "processing"
	StatusDone       Status = "done"
	StatusFailed     Status = "failed"
	StatusRunning    Status = "running" // batches only
)

// Ended reports whether a job in status s will not change any more.
func (s Status) Ended() bool { return s == StatusDone || s == StatusFailed }

// Output says how variants are encoded. An empty Format means "like the
// source" (JPEG, PNG or WebP; other sources give JPEG). Chroma is a JPEG's
// colour resolution: ChromaHalf (the default of new jobs, as Pillow,
// OpenCV and TensorFlow write) or ChromaFull; empty, as in jobs made before
// it could be chosen, is libvips' rule (full from quality 90 up), so that
// they replay to the same bytes.
type Output struct {
	Format  string `json:"format,omitempty"`
	Quality int    `json:"quality,omitempty"`
	Chroma  string `json:"chroma,omitempty"`
}

// Output.Chroma's values.
const (
	ChromaHalf = "4:2:0" // colour at half the width and height of the image
	ChromaFull = "4:4:4" // colour at every pixel
)

// Spec is what to make of a source: how many variants, through which
// pipeline, from which seed. Pipeline is the normalised JSON pipeline.
type Spec struct {
	Variants int             `json:"variants"`
	Seed     int64           `json:"seed"`
	Preset   string          `json:"preset,omitempty"`
	Pipeline json.RawMessage `json:"pipeline"`
	Output   Output          `json:"output"`
	// Labels travel with the source through every variant (nil: none).
	Labels       *Labels       `json:"labels,omitempty"`
	LabelOptions *LabelOptions `json:"label_options,omitempty"`
	Mask         *MaskSource   `json:"mask,omitempty"` // a semantic mask beside the source
}

// MaskSource says where a job's semantic mask comes from: an upload (URL
// empty) or a URL the worker fetches. Either way it is kept at MaskKey.
type MaskSource struct {
	URL  string `json:"url,omitempty"`
	Name string `json:"name,omitempty"`
}

// MaskKey is where the semantic mask of job id is kept.
func MaskKey(jobID string) string { return "jobs/" + jobID + "/mask.png" }

// ThumbSize is the longest side of the WebP thumbnails the worker writes
// beside each variant and the source, for pages that show many.
const ThumbSize = 480

// ThumbKey is where variant index's thumbnail is kept.
func ThumbKey(jobID string, index int) string {
	return "jobs/" + jobID + "/thumbs/" + strconv.Itoa(index) + ".webp"
}

// SourceThumbKey is where the source's thumbnail is kept.
func SourceThumbKey(jobID string) string { return "jobs/" + jobID + "/thumbs/source.webp" }

// OpExampleKey is where the operations reference's picture of op is kept:
// the bundled photo through a one-step pipeline of it.
func OpExampleKey(op string) string { return "examples/ops/" + op + ".webp" }

// ThumbFit is the size of a thumbnail of a w×h image: shrunk to fit
// ThumbSize×ThumbSize, never enlarged (as libvips rounds it).
func ThumbFit(w, h int) (int, int) {
	if w <= ThumbSize && h <= ThumbSize || w <= 0 || h <= 0 {
		return w, h
	}
	if w >= h {
		return ThumbSize, max(1, int(math.Round(float64(h)*ThumbSize/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*ThumbSize/float64(h)))), ThumbSize
}

// Source describes a job's input image. URL is empty for uploads; Key is
// where the bytes are kept once fetched.
type Source struct {
	URL    string `json:"url,omitempty"`
	Name   string `json:"name"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	Format string `json:"format,omitempty"`
	Bytes  int64  `json:"bytes,omitempty"`
	Key    string `json:"-"`
	// Orientation is the EXIF orientation (2–8) turned upright at decoding,
	// 0 when there was none: Width, Height and labels are as displayed.
	Orientation int `json:"orientation,omitempty"`
}

// Variant is one augmented image of a job.
type Variant struct {
	Index  int             `json:"index"`
	Width  int             `json:"width"`
	Height int             `json:"height"`
	Format string          `json:"format"`
	Bytes  int64           `json:"bytes"`
	Ops    json.RawMessage `json:"ops"`
	Key    string          `json:"-"`
	Labels *VariantLabels  `json:"labels,omitempty"` // when the source had labels
}

// Job is one source image and the variants made of it.
type Job struct {
	ID       string
	BatchID  string   // empty when the job is not part of a batch
	Seq      int      // position in its batch
	Stem     string   // folder name in its batch's archive, unique in the batch
	Priority Priority // the queue it runs on
	Requeues int      // times it was queued again after its task was lost or archived
	// SeedKey is the source's name in its batch (its path in the archive, or
	// its URL), "" for a job on its own: variant i draws from (seed,
	// SeedKey, i), so the images of a batch draw independently.
	SeedKey string
	// Dataset is the source's record in its batch's dataset (its path,
	// split and format fields: dataset.Image.Record), nil elsewhere.
	Dataset    json.RawMessage
	Status     Status
	Source     Source
	Spec       Spec
	Variants   []Variant
	Error      *Error
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// Ext returns the file extension for an output format.
func Ext(format string) string {
	if format == "jpeg" {
		return "jpg"
	}
	return format
}
