package dataset

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// A batch keeps a dataset in two parts: one Record for the whole (what
// writing needs beside the images, the plan, what reading found) and one
// image record per job ([Image.Record]), whose objects travel in the job's
// labels. Neither holds image bytes, so the batch's archive is written
// from them image by image.

// Record is what a batch keeps of its dataset.
type Record struct {
	Dataset  *Dataset  `json:"dataset"`
	Plan     Plan      `json:"plan"`
	Summary  Summary   `json:"summary"`  // lists the first MaxWarningsListed warnings
	Warnings []Warning `json:"warnings"` // every one, for report.json
	Losses   []Loss    `json:"losses,omitempty"`
	// Files are the files of the source dataset kept beside the images
	// (COCO files, a README, a licence), by path; the batch stores file i
	// under a key of its own.
	Files []string `json:"files,omitempty"`
}

// NewRecord starts the record of a dataset read for a batch.
func NewRecord(ds *Dataset, plan Plan, losses []Loss, warnings []Warning) *Record {
	ds.Warnings = append(ds.Warnings, warnings...)
	return &Record{Dataset: ds, Plan: plan, Summary: ds.Summary(), Warnings: ds.Warnings, Losses: losses}
}

// Output is the format the batch's result is written in.
func (r *Record) Output() Format {
	if r.Plan.Export != "" {
		return r.Plan.Export
	}
	return r.Dataset.Format
}

// Record is the image's record in a batch: everything but its objects,
// which travel in the job's labels.
func (im *Image) Record() (json.RawMessage, error) {
	rec := *im
	rec.Objects = nil
	return json.Marshal(&rec)
}

// ImageOf reads an image back from its record and its job's objects.
func ImageOf(record json.RawMessage, objects []domain.Object) (*Image, error) {
	var im Image
	if err := json.Unmarshal(record, &im); err != nil {
		return nil, err
	}
	im.Objects = objects
	return &im, nil
}

// Role is what a file of a dataset is to a batch that stores it.
type Role int

// The roles of a dataset's files.
const (
	RoleNone  Role = iota // not stored: label files that are read, not kept
	RoleImage             // a source image
	RoleMask              // a source's semantic mask
	RoleLabel             // a source's own label file (YOLO .txt, VOC .xml), kept in its record
	RoleFile              // a COCO file, or a file that is neither image nor label, kept as it is
)

// Roles returns what each file of the dataset is, by its path in the
// source (the wrapping folder included), with the image it belongs to.
func (ds *Dataset) Roles() func(p string) (Role, *Image) {
	images := make(map[string]*Image, len(ds.Images))
	masks := map[string]*Image{}
	labels := map[string]*Image{}
	for _, im := range ds.Images {
		images[im.Path] = im
		if im.Mask != nil {
			masks[im.Mask.Path] = im
		}
		if im.LabelPath != "" && im.Labelled {
			labels[im.LabelPath] = im
		}
	}
	files := map[string]bool{}
	for _, f := range ds.COCO {
		files[f.Path] = true
	}
	for _, o := range ds.Other {
		files[o.Path] = true
	}
	return func(p string) (Role, *Image) {
		if ds.Root != "" {
			rel, ok := strings.CutPrefix(p, ds.Root+"/")
			if !ok {
				return RoleNone, nil
			}
			p = rel
		}
		switch {
		case images[p] != nil:
			return RoleImage, images[p]
		case masks[p] != nil:
			return RoleMask, masks[p]
		case labels[p] != nil && perImageLabels(ds.Format):
			return RoleLabel, labels[p]
		case files[p] && !ignoredOther(p):
			return RoleFile, nil
		}
		return RoleNone, nil
	}
}

func perImageLabels(f Format) bool { return f == YOLO || f == VOC }

// ignoredOther are files a result never needs again: the stores' own
// listings of a dataset that the writer makes anew.
func ignoredOther(p string) bool {
	return strings.EqualFold(path.Ext(p), ".cache") // Ultralytics' labels cache, stale once images are added
}
