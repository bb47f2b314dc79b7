package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/domain"
)

// An archive is read in two passes over the uploaded file: the first reads
// and checks every label file (dataset.Read: nothing is stored, and a label
// file that cannot be parsed refuses the batch); the second stores each
// image under its job, each mask at its job's mask key, and the files the
// result copies (a COCO file, a README). Images stream from the archive to
// storage, so the api holds the dataset's labels, never its images.

// maxKeptFile is the largest file that is neither image nor label (a
// README, a licence) that a batch copies into its result; larger ones are
// reported as skipped. COCO files are kept whatever their size.
const maxKeptFile = 1 << 20

// addArchive reads the uploaded archive as the options say: a dataset
// becomes a dataset batch, plain images today's batch of images.
func (s *Server) addArchive(ctx context.Context, nb *newBatch, opt batchOptions) error {
	format, err := dataset.ParseFormat(opt.Format)
	if err != nil {
		return inField("format", err)
	}
	plan, err := opt.plan()
	if err != nil {
		return err
	}
	if nb.batch.Spec.LabelOptions, err = opt.labelOptions(); err != nil {
		return err
	}
	src, err := dataset.OpenArchive(nb.archive, nb.archiveSize)
	if err != nil {
		return err
	}
	start := time.Now()
	ds, err := dataset.Read(src, dataset.Options{Format: format, Limits: s.Limits.Archive()})
	if err != nil {
		return err
	}
	nb.readTime = time.Since(start)
	for _, sk := range ds.Skipped {
		nb.batch.Skipped.Add(path.Join(ds.Root, sk.Name), sk.Reason)
	}
	if ds.Format == dataset.Images && plan.Export == "" {
		if nb.batch.Spec.Variants == 0 {
			return inField("variants", domain.Errorf(domain.EInvalidSpec,
				"variants: 0 makes the baseline of a labelled dataset; this archive holds plain images, so give 1 to 64 variants."))
		}
		for _, o := range ds.Other {
			nb.batch.Skipped.Add(path.Join(ds.Root, o.Path), "not an image (its name has no image extension: .jpg, .png, .webp, …)")
		}
		// NOTE: every image of a plain archive is augmented, whatever its
		// folder, and laid out as batches of images always were.
		for _, im := range ds.Images {
			im.Split = ""
		}
		return s.addDataset(ctx, nb, src, ds, dataset.Plan{AugmentSplits: []string{"train"}})
	}
	if nb.batch.Spec.Variants == 0 && !plan.IncludeOriginals {
		return inField("include_originals", domain.Errorf(domain.EInvalidSpec,
			"variants: 0 with include_originals false leaves nothing to write; keep the originals for a baseline."))
	}
	return s.addDataset(ctx, nb, src, ds, plan)
}

// addDataset checks the plan and every image's labels, makes a job of each
// image (variants for the splits to augment, none for the others), stores
// what the batch needs and keeps the dataset's record.
func (s *Server) addDataset(ctx context.Context, nb *newBatch, src dataset.Source, ds *dataset.Dataset, plan dataset.Plan) error {
	losses, warnings, err := plan.Check(ds, nb.batch.Spec.Variants)
	if err != nil {
		return err
	}
	if err := ds.CheckLabels(); err != nil {
		return err
	}
	if nb.batch.Spec.Variants > 0 {
		p, err := augment.Parse(nb.batch.Spec.Pipeline)
		if err == nil {
			err = ds.CheckFlips(p)
		}
		if err != nil {
			return inField("pipeline", err)
		}
	}
	rec := dataset.NewRecord(ds, plan, losses, warnings)
	jobs := make(map[*dataset.Image]*domain.Job, len(ds.Images))
	for _, im := range ds.Images {
		// The seed key is the image's path in the archive; so is a plain
		// image's name, while a dataset's images are named within it.
		name := path.Join(ds.Root, im.Path)
		shown := im.Path
		if ds.Format == dataset.Images {
			shown = name
		}
		nb.add(domain.Source{Name: safePath(shown), Width: im.Width, Height: im.Height, Format: im.Format, Bytes: im.Bytes}, name)
		j := nb.jobs[len(nb.jobs)-1]
		j.Source.Key = fmt.Sprintf("batches/%s/sources/%d", nb.batch.ID, j.Seq)
		j.Spec = nb.batch.Spec
		if !plan.Augments(im.Split) {
			j.Spec.Variants = 0
		}
		// An image without objects in a format of objects is a negative:
		// its variants record that they have none.
		if len(im.Objects) > 0 || hasObjects(ds.Format) {
			l := im.Labels(ds)
			j.Spec.Labels = &l
		}
		if im.Mask != nil {
			j.Spec.Mask = &domain.MaskSource{Name: im.Mask.Path}
		}
		jobs[im] = j
	}
	start := time.Now()
	if err := s.storeDataset(ctx, nb, src, ds, rec, jobs); err != nil {
		return err
	}
	s.Log.Info("archive read", "batch_id", nb.batch.ID, "format", ds.Format, "images", len(ds.Images),
		"read_ms", nb.readTime.Milliseconds(), "store_ms", time.Since(start).Milliseconds())
	for im, j := range jobs {
		if j.Dataset, err = im.Record(); err != nil {
			return err
		}
	}
	nb.batch.Dataset, err = json.Marshal(rec)
	return err
}

// storeDataset is the second pass: each image to its job's source key,
// each mask to its job's mask key (a colour mask as class ids), each
// source's own label file into its record, and the files the result
// copies under the batch.
func (s *Server) storeDataset(ctx context.Context, nb *newBatch, src dataset.Source, ds *dataset.Dataset, rec *dataset.Record,
	jobs map[*dataset.Image]*domain.Job) error {
	roles := ds.Roles()
	sameFormat := rec.Output() == ds.Format && ds.Format != dataset.Images
	// NOTE: images are stored a few at a time while the archive is read on
	// (an object store answers each put in its own time); each holds its
	// bytes until stored, so memory is bounded by storeAtOnce entries.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(storeAtOnce)
	err := src.Walk(false, func(p string, body io.Reader) error {
		if err := gctx.Err(); err != nil {
			return err
		}
		role, im := roles(p)
		switch role {
		case dataset.RoleImage:
			buf := imageBuffers.Get().(*bytes.Buffer)
			buf.Reset()
			if _, err := buf.ReadFrom(io.LimitReader(body, im.Bytes)); err != nil {
				return err
			}
			key := jobs[im].Source.Key
			nb.keys = append(nb.keys, key)
			g.Go(func() error {
				defer imageBuffers.Put(buf)
				return s.put(gctx, nil, key, bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			})
			return nil
		case dataset.RoleMask:
			b, err := io.ReadAll(io.LimitReader(body, s.Limits.MaxEntryBytes))
			if err != nil {
				return err
			}
			if im.Mask.RGB {
				m, err := dataset.ColourMaskIDs(im.Mask.Path, b, colorsOf(ds))
				if err != nil {
					return err
				}
				if b, err = m.PNG(); err != nil {
					return err
				}
			}
			return s.put(ctx, nb, domain.MaskKey(jobs[im].ID), bytes.NewReader(b), int64(len(b)))
		case dataset.RoleLabel:
			if !sameFormat {
				return nil
			}
			b, err := io.ReadAll(io.LimitReader(body, s.Limits.MaxEntryBytes))
			im.LabelFile = b
			return err
		case dataset.RoleFile:
			rel := relPath(ds, p)
			coco := isCOCOFile(ds, rel)
			if !sameFormat {
				if !coco && ds.Format != dataset.Images { // plain images' other files are skipped already
					nb.batch.Skipped.Add(p, "neither an image nor a label file, and the result is in another format")
				}
				return nil
			}
			r := body
			if !coco {
				b, err := io.ReadAll(io.LimitReader(body, maxKeptFile+1))
				if err != nil {
					return err
				}
				if len(b) > maxKeptFile {
					nb.batch.Skipped.Add(p, fmt.Sprintf("neither an image nor a label file, and larger than %d bytes", maxKeptFile))
					return nil
				}
				r = bytes.NewReader(b)
			}
			key := domain.BatchFileKey(nb.batch.ID, len(rec.Files))
			rec.Files = append(rec.Files, rel)
			return s.put(ctx, nb, key, r, -1)
		}
		return nil
	})
	return errors.Join(err, g.Wait())
}

// storeAtOnce is how many images are stored at once.
const storeAtOnce = 4

// imageBuffers hold images on their way to storage.
var imageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// put stores a blob of the batch, to be removed again if the batch fails
// (nb nil: the caller noted the key).
func (s *Server) put(ctx context.Context, nb *newBatch, key string, r io.Reader, size int64) error {
	if nb != nil {
		nb.keys = append(nb.keys, key)
	}
	if err := s.Blobs.Put(ctx, key, r, size, ""); err != nil {
		return domain.Wrap(err, domain.EUnavailable, "The archive could not be stored; try again shortly.")
	}
	return nil
}

// hasObjects says whether a format's labels are objects (boxes, outlines,
// keypoints) rather than masks or folders.
func hasObjects(f dataset.Format) bool {
	return f == dataset.COCO || f == dataset.YOLO || f == dataset.VOC
}

func colorsOf(ds *dataset.Dataset) [][3]uint8 {
	if ds.Masks == nil {
		return nil
	}
	return ds.Masks.Colors
}

// relPath is a path of the archive relative to the dataset's root.
func relPath(ds *dataset.Dataset, p string) string {
	if ds.Root == "" {
		return p
	}
	return p[len(ds.Root)+1:]
}

func isCOCOFile(ds *dataset.Dataset, rel string) bool {
	for _, f := range ds.COCO {
		if f.Path == rel {
			return true
		}
	}
	return false
}
