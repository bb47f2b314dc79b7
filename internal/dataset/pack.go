package dataset

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// Opener opens stored bytes.
type Opener func() (io.ReadCloser, error)

// Item is one source image of a batch and what became of it.
type Item struct {
	Image    *Image // the source, with its objects
	JobID    string
	Seed     int64
	Source   Opener        // its bytes; nil once they are gone (its job failed)
	Mask     Opener        // its semantic mask as stored (class ids); nil when it has none
	Error    *domain.Error // why its job failed; nil when it did not
	Variants []ItemVariant
}

// ItemVariant is one variant of an Item, as its job recorded it.
type ItemVariant struct {
	Index         int
	Width, Height int
	Format        string
	Ops           json.RawMessage
	Labels        *domain.VariantLabels // nil when the worker recorded none
	Image         Opener
	Mask          Opener // nil when it has no mask
}

// Packer writes a dataset batch's result as a zip in the dataset's format
// and layout (or the one it is exported as), image by image: the sources
// copied byte for byte, each variant beside its source with its labels in
// the format's own files, then the per-split files, manifest.jsonl,
// report.json and failures.jsonl. The manifest and failures are spooled to
// temporary files, so memory holds what the format's own files need (a
// COCO file's records) and no image.
type Packer struct {
	rec      *Record
	zw       *zip.Writer
	w        *Writer
	open     func(i int) (io.ReadCloser, error)
	report   *Report
	manifest *spool
	failures *spool
}

// NewPacker starts the result of rec into zw; open opens the kept file
// rec.Files[i].
func NewPacker(zw *zip.Writer, rec *Record, open func(i int) (io.ReadCloser, error)) (*Packer, error) {
	w, err := NewWriter(ZipOutput{W: zw}, rec.Dataset, rec.Output())
	if err != nil {
		return nil, err
	}
	p := &Packer{rec: rec, zw: zw, w: w, open: open, manifest: &spool{}, failures: &spool{}}
	w.CopyFile = p.copyFile
	p.report = &Report{Format: rec.Dataset.Format, Plan: &rec.Plan, Dropped: map[string]int{}, Warnings: rec.Warnings, Losses: rec.Losses}
	if rec.Plan.Export != rec.Dataset.Format {
		p.report.Export = rec.Plan.Export
	}
	return p, nil
}

// Add writes one source and its variants.
func (p *Packer) Add(it Item) error {
	im := it.Image
	p.report.Source(im)
	if it.Error != nil || it.Source == nil {
		p.w.Omit(im)
		p.report.Failed++
		e := it.Error
		if e == nil {
			e = domain.Errorf(domain.ENotFound, "The source is no longer stored.")
		}
		return p.failures.encode(failureLine{JobID: it.JobID, Source: im.Path, Code: e.Code, Message: e.Message})
	}
	if p.rec.Plan.IncludeOriginals || !p.rec.Plan.Augments(im.Split) {
		pl, err := p.w.Add(im)
		if err == nil {
			err = p.copy(pl.Image, it.Source)
		}
		if err == nil && pl.Mask != "" && it.Mask != nil {
			err = p.writeMask(pl.Mask, im.Mask, it.Mask)
		}
		if err != nil {
			return err
		}
		p.report.After.Add(im.Split, im.Class, im.Objects)
		line := ManifestLine{JobID: it.JobID, Source: im.Path, Split: im.Split, Path: pl.Image, Original: true,
			Seed: it.Seed, Width: im.Width, Height: im.Height, Labels: manifestLabels(im.Objects, nil, pl.Mask)}
		if err := p.manifest.encode(line); err != nil {
			return err
		}
	} else {
		p.w.Omit(im)
	}
	for _, v := range it.Variants {
		if err := p.addVariant(it, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *Packer) addVariant(it Item, v ItemVariant) error {
	im := it.Image
	labelled := len(im.Objects) > 0 || im.Mask != nil
	if labelled && (v.Labels == nil || im.Mask != nil && v.Mask == nil) {
		// NOTE: a variant whose labels were not recorded would be written as
		// a negative: wrong labels are worse than a missing image.
		p.report.Warnings = append(p.report.Warnings, Warning{Code: WVariantUnlabelled, Path: im.Path, Message: sprintf(
			"variant %d of %s has no labels recorded; it is left out rather than written without its objects", v.Index, im.Path)})
		return nil
	}
	vim := &Image{Path: VariantPath(im.Path, v.Index, domain.Ext(v.Format)), Of: im.Path, Split: im.Split, Class: im.Class,
		Width: v.Width, Height: v.Height, Format: v.Format, Labelled: true, COCO: im.COCO, VOC: im.VOC, Extras: im.Extras}
	var dropped []domain.Dropped
	if v.Labels != nil {
		vim.Objects, dropped = v.Labels.Objects, v.Labels.Dropped
	}
	if im.Mask != nil {
		vim.Mask = &SemanticMask{Path: im.Mask.Path, RGB: im.Mask.RGB, Width: v.Width, Height: v.Height}
	}
	pl, err := p.w.Add(vim)
	if err == nil {
		err = p.copy(pl.Image, v.Image)
	}
	if err == nil && pl.Mask != "" {
		err = p.writeMask(pl.Mask, vim.Mask, v.Mask)
	}
	if err != nil {
		return err
	}
	p.report.After.Add(vim.Split, vim.Class, vim.Objects)
	for _, d := range dropped {
		p.report.Drop(d.Reason)
	}
	index := v.Index
	return p.manifest.encode(ManifestLine{JobID: it.JobID, Source: im.Path, Split: im.Split, Path: pl.Image, Index: &index,
		Seed: it.Seed, Ops: v.Ops, Width: v.Width, Height: v.Height, Labels: manifestLabels(vim.Objects, dropped, pl.Mask)})
}

func manifestLabels(objects []domain.Object, dropped []domain.Dropped, mask string) *ManifestLabels {
	if objects == nil {
		objects = []domain.Object{}
	}
	if dropped == nil {
		dropped = []domain.Dropped{}
	}
	return &ManifestLabels{Objects: objects, Dropped: dropped, Mask: mask}
}

// Close writes the per-split files, the kept files, manifest.jsonl,
// report.json and failures.jsonl, and the zip's directory. The report
// gets the batch's pipeline, seed, variants, skipped entries and versions.
func (p *Packer) Close(pipeline json.RawMessage, seed int64, variants int, skipped domain.SkipReport, v Versions) error {
	defer p.manifest.remove()
	defer p.failures.remove()
	if err := p.w.Close(); err != nil {
		return err
	}
	if p.rec.Output() == p.rec.Dataset.Format {
		for i, f := range p.rec.Files {
			if slices.ContainsFunc(p.rec.Dataset.COCO, func(c *COCOFile) bool { return c.Path == f }) {
				continue // written by the writer, or copied through it
			}
			if err := p.copy(f, func() (io.ReadCloser, error) { return p.open(i) }); err != nil {
				return err
			}
		}
	}
	r := p.report
	r.Pipeline, r.Seed, r.Variants, r.Skipped, r.Versions = pipeline, seed, variants, skipped, v
	for _, s := range []struct {
		name string
		sp   *spool
	}{{"manifest.jsonl", p.manifest}, {"failures.jsonl", p.failures}} {
		w, err := p.zw.CreateHeader(&zip.FileHeader{Name: s.name, Method: zip.Deflate})
		if err == nil {
			err = s.sp.copyTo(w)
		}
		if err != nil {
			return err
		}
	}
	w, err := p.zw.CreateHeader(&zip.FileHeader{Name: "report.json", Method: zip.Deflate})
	if err == nil {
		err = r.Write(w)
	}
	if err != nil {
		return err
	}
	return p.zw.Close()
}

// copy stores the bytes open gives at name: images are compressed already.
func (p *Packer) copy(name string, open Opener) error {
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	w, err := p.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, rc)
	return err
}

// copyFile copies the kept file at path p of the source dataset.
func (p *Packer) copyFile(path string, w io.Writer) error {
	i := slices.Index(p.rec.Files, path)
	if i < 0 {
		return fmt.Errorf("dataset: %s was not kept", path)
	}
	rc, err := p.open(i)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

// writeMask writes a mask as the dataset has it: the stored class ids as
// they are (a palette PNG keeps its palette), or in the dataset's colours.
func (p *Packer) writeMask(name string, m *SemanticMask, open Opener) error {
	if m == nil || !m.RGB || p.rec.Dataset.Masks == nil {
		return p.copy(name, open)
	}
	rc, err := open()
	if err != nil {
		return err
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	ids, err := labels.DecodeMask(b)
	if err == nil {
		b, err = ColourMaskPNG(ids, p.rec.Dataset.Masks.Colors)
	}
	if err != nil {
		return fmt.Errorf("dataset: the mask %s: %w", name, err)
	}
	w, err := p.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err == nil {
		_, err = w.Write(b)
	}
	return err
}

// failureLine is a line of failures.jsonl.
type failureLine struct {
	JobID   string `json:"job_id"`
	Source  string `json:"source"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// spool keeps JSON lines in a temporary file, made on the first line.
type spool struct {
	f   *os.File
	enc *json.Encoder
}

func (s *spool) encode(v any) error {
	if s.f == nil {
		f, err := os.CreateTemp("", "augment-lines-*")
		if err != nil {
			return err
		}
		s.f, s.enc = f, json.NewEncoder(f)
		s.enc.SetEscapeHTML(false)
	}
	return s.enc.Encode(v)
}

func (s *spool) copyTo(w io.Writer) error {
	if s.f == nil {
		return nil
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

func (s *spool) remove() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}
