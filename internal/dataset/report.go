package dataset

import (
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// ManifestLine is one line of manifest.jsonl: an output file and where it
// came from.
type ManifestLine struct {
	JobID    string          `json:"job_id,omitempty"`
	Source   string          `json:"source"`             // the source image's path in the dataset
	Split    string          `json:"split,omitempty"`    //
	Path     string          `json:"path"`               // the file in the output
	Index    *int            `json:"index,omitempty"`    // the variant's index; absent for an original copied through
	Original bool            `json:"original,omitempty"` // the source itself, byte for byte
	Seed     int64           `json:"seed"`
	Ops      json.RawMessage `json:"ops,omitempty"`
	Width    int             `json:"width"`
	Height   int             `json:"height"`
	Labels   *ManifestLabels `json:"labels,omitempty"`
}

// ManifestLabels are a variant's labels: what it kept and what it dropped.
type ManifestLabels struct {
	Objects []domain.Object  `json:"objects"`
	Dropped []domain.Dropped `json:"dropped"`
	Mask    string           `json:"mask,omitempty"` // the mask's path in the output
}

// Counts are a dataset's images per split and objects per split and class.
type Counts struct {
	Images  map[string]int            `json:"images"`
	Objects map[string]map[string]int `json:"objects"`
}

// Add counts an image and its objects ("" is the split of a dataset
// without splits; an ImageFolder image counts as an object of its class).
func (c *Counts) Add(split, class string, objects []domain.Object) {
	if c.Images == nil {
		c.Images, c.Objects = map[string]int{}, map[string]map[string]int{}
	}
	c.Images[split]++
	if c.Objects[split] == nil {
		c.Objects[split] = map[string]int{}
	}
	if class != "" {
		c.Objects[split][class]++
	}
	for _, o := range objects {
		c.Objects[split][o.Class]++
	}
}

// Versions are the versions of what made a dataset.
type Versions struct {
	Augment string `json:"augment"`
	Libvips string `json:"libvips,omitempty"`
}

// SourceHash is a source image and the SHA-256 of its bytes.
type SourceHash struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Report is report.json: what was read, what was made, what was lost.
type Report struct {
	Format   Format            `json:"format"`
	Export   Format            `json:"export,omitempty"`
	Plan     *Plan             `json:"plan,omitempty"`
	Variants int               `json:"variants"` // asked for per augmented image
	Before   Counts            `json:"before"`
	After    Counts            `json:"after"`
	Dropped  map[string]int    `json:"dropped"` // objects left out of variants, by reason
	Failed   int               `json:"failed"`  // images whose job failed: left out, listed in failures.jsonl
	Warnings []Warning         `json:"warnings"`
	Losses   []Loss            `json:"losses"`
	Skipped  domain.SkipReport `json:"skipped"`
	Pipeline json.RawMessage   `json:"pipeline"`
	Seed     int64             `json:"seed"`
	Versions Versions          `json:"versions"`
	Sources  []SourceHash      `json:"sources"`
}

// Source counts a source image before augmentation and keeps its hash.
func (r *Report) Source(im *Image) {
	r.Before.Add(im.Split, im.Class, im.Objects)
	r.Sources = append(r.Sources, SourceHash{Path: im.Path, SHA256: im.SHA256})
}

// Drop counts an object left out of a variant, by the first word of its
// reason ("visibility 0.04 < 0.1" counts under visibility).
func (r *Report) Drop(reason string) {
	key, _, _ := strings.Cut(reason, " ")
	r.Dropped[key]++
}

// Write writes the report as indented JSON, empty lists as [] not null.
func (r *Report) Write(w io.Writer) error {
	out := *r
	if out.Warnings == nil {
		out.Warnings = []Warning{}
	}
	if out.Losses == nil {
		out.Losses = []Loss{}
	}
	if out.Skipped.First == nil {
		out.Skipped.First = []domain.Skipped{}
	}
	if out.Skipped.ByReason == nil {
		out.Skipped.ByReason = map[string]int{}
	}
	for _, c := range []*Counts{&out.Before, &out.After} {
		if c.Images == nil {
			*c = Counts{Images: map[string]int{}, Objects: map[string]map[string]int{}}
		}
	}
	sort.Slice(out.Sources, func(i, j int) bool { return out.Sources[i].Path < out.Sources[j].Path })
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// Summary is what the 202 answer to a dataset batch says was found.
type Summary struct {
	Format        Format         `json:"format"`
	Splits        map[string]int `json:"splits"`
	Classes       map[string]int `json:"classes"`
	Warnings      []Warning      `json:"warnings"`
	WarningsTotal int            `json:"warnings_total"`
}

// MaxWarningsListed is how many warnings a Summary lists: report.json has
// them all, and a dataset of 100,000 negatives makes as many.
const MaxWarningsListed = 100

// Summary counts the images per split and the objects per class.
func (ds *Dataset) Summary() Summary {
	s := Summary{Format: ds.Format, Splits: map[string]int{}, Classes: map[string]int{},
		Warnings: ds.Warnings[:min(len(ds.Warnings), MaxWarningsListed)], WarningsTotal: len(ds.Warnings)}
	if s.Warnings == nil {
		s.Warnings = []Warning{}
	}
	for _, im := range ds.Images {
		split := im.Split
		if split == "" {
			split = "all"
		}
		s.Splits[split]++
		if im.Class != "" {
			s.Classes[im.Class]++
		}
		for _, o := range im.Objects {
			s.Classes[o.Class]++
		}
	}
	return s
}
