package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/labels"
	"github.com/augment-ml/augment/internal/queue"
)

// Previewer processes queue.TypePreview tasks: it renders a preview's
// tiles (imaging.RenderTile: variant i's ops, drawn as a job's are, its
// pixels at the tile's scale), keeps them in the preview store and hands
// the result to the api waiting for it. It records nothing in the job
// store.
type Previewer struct {
	Store     *queue.Previews
	Blobs     domain.Blobs
	Fetcher   *fetch.Fetcher
	MaxPixels int
	Log       *slog.Logger

	sources sourceCache
	masked  maskedSource
}

// maskedSource keeps the last labels.Source made with a mask: a re-roll
// or a new pipeline previews the same image and mask again, and the mask
// is then decoded once, not once a preview.
type maskedSource struct {
	mu  sync.Mutex
	key string
	src *labels.Source
}

// ProcessTask implements asynq.Handler.
func (p *Previewer) ProcessTask(ctx context.Context, t *asynq.Task) error {
	pv, err := queue.ParsePreview(t)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := p.render(ctx, pv)
	if err != nil {
		var de *domain.Error
		switch {
		case errors.As(err, &de):
		case ctx.Err() != nil:
			// NOTE: the task's deadline is the api's wait: nobody waits now.
			p.Log.Info("preview abandoned", "preview_id", pv.ID, "err", err)
			de = domain.Errorf(domain.ETimeout, "The preview took too long.")
		default:
			p.Log.Error("preview failed", "preview_id", pv.ID, "err", err)
			de = domain.Errorf(domain.EInternal, "The preview could not be rendered.")
		}
		res = &domain.PreviewResult{Error: &domain.Failure{Code: de.Code, Message: de.Message}}
	}
	res.Millis = float64(time.Since(start).Microseconds()) / 1000
	// NOTE: the api may have stopped waiting (its ctx is not this one);
	// the result then expires unread.
	if err := p.Store.Done(context.WithoutCancel(ctx), pv.ID, res); err != nil {
		return fmt.Errorf("preview %s: result: %w", pv.ID, err)
	}
	return nil
}

func (p *Previewer) render(ctx context.Context, pv *domain.Preview) (*domain.PreviewResult, error) {
	pipeline, err := augment.Parse(pv.Spec.Pipeline)
	if err != nil {
		return nil, err
	}
	plans := make([]augment.Ops, pv.Spec.Variants)
	for i := range plans {
		plans[i] = pipeline.Plan(pv.Spec.Seed, pv.Source.SeedKey, i)
	}
	src, err := p.source(ctx, pv.Source)
	if err != nil {
		return nil, err
	}
	defer src.release()
	info := src.info
	least := 0
	for _, ops := range plans {
		t, err := imaging.TileScale(ops, info.Width, info.Height, pv.Size)
		if err != nil {
			return nil, err
		}
		least = max(least, int(math.Ceil(t*float64(max(info.Width, info.Height)))))
	}
	img, err := src.image(least, p.MaxPixels)
	if err != nil {
		return nil, err
	}
	lab, err := p.labelSource(ctx, pv, info)
	if err != nil {
		return nil, err
	}
	out := imaging.Output{Format: pv.Spec.Output.Format, Quality: pv.Spec.Output.Quality, Chroma: pv.Spec.Output.Chroma}
	res := &domain.PreviewResult{Source: src.record, Tiles: make([]domain.Tile, len(plans))}
	for i, ops := range plans {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tile, err := img.RenderTile(ctx, ops, out, pv.Size)
		if err != nil {
			return nil, fmt.Errorf("tile %d: %w", i, err)
		}
		raw, err := json.Marshal(ops)
		if err != nil {
			return nil, err
		}
		t := domain.Tile{Index: i, Width: tile.Width, Height: tile.Height, Format: tile.Format, Ops: raw}
		t.Full[0], t.Full[1], err = fullSize(ops, info.Width, info.Height)
		if err != nil {
			return nil, err
		}
		var mask []byte
		if lab != nil {
			lv, err := lab.Tile(ops, tile.Width, tile.Height)
			if err != nil {
				return nil, fmt.Errorf("tile %d: labels: %w", i, err)
			}
			t.Labels = &lv.Labels
			mask, t.Mask = lv.Mask, lv.Mask != nil
		}
		if err := p.Store.PutTile(ctx, pv.ID, i, tile.Format, tile.Bytes, mask); err != nil {
			return nil, domain.Wrap(err, domain.EUnavailable, "The preview store is unavailable; try again shortly.")
		}
		res.Tiles[i] = t
	}
	return res, nil
}

// labelSource is what the tiles take their labels from: the preview's
// labels and its mask (a job's, an upload, a URL); nil for neither.
func (p *Previewer) labelSource(ctx context.Context, pv *domain.Preview, info imaging.Info) (*labels.Source, error) {
	ps := pv.Source
	if ps.MaskKey == "" && ps.MaskUpload == "" && ps.MaskURL == "" {
		if pv.Spec.Labels == nil {
			return nil, nil
		}
		return labels.NewSource(pv.Spec.Labels, pv.Spec.LabelOptions, nil, info.Width, info.Height)
	}
	l, _ := json.Marshal(pv.Spec.Labels)
	o, _ := json.Marshal(pv.Spec.LabelOptions)
	// NOTE: the image's size too: the same mask beside another image is
	// checked against it again
	key := strings.Join([]string{ps.MaskKey, ps.MaskUpload, ps.MaskURL, string(l), string(o), fmt.Sprint(info.Width, "×", info.Height)}, "\x00")
	p.masked.mu.Lock()
	defer p.masked.mu.Unlock()
	if p.masked.key == key {
		return p.masked.src, nil
	}
	mask, err := p.mask(ctx, ps)
	if err != nil {
		return nil, err
	}
	src, err := labels.NewSource(pv.Spec.Labels, pv.Spec.LabelOptions, mask, info.Width, info.Height)
	if err != nil {
		return nil, err
	}
	p.masked.key, p.masked.src = key, src
	return src, nil
}

// mask reads the preview's mask: a job's from the blobs, an upload from the
// preview store, a URL through the fetcher (SSRF-safe, as a job's).
func (p *Previewer) mask(ctx context.Context, ps domain.PreviewSource) ([]byte, error) {
	switch {
	case ps.MaskKey != "":
		mask, err := readBlob(ctx, p.Blobs, ps.MaskKey)
		if domain.ErrorCode(err) == domain.ENotFound {
			return nil, domain.Errorf(domain.ENotFound, "Job %s's mask is not kept (not fetched yet, or the job failed).", ps.JobID)
		}
		return mask, err
	case ps.MaskUpload != "":
		return p.Store.Upload(ctx, ps.MaskUpload)
	}
	return fetchMask(ctx, p.Fetcher, ps.MaskURL)
}

// fullSize is the size of the variant ops make of a w×h source.
func fullSize(ops augment.Ops, w, h int) (int, int, error) {
	moves, err := labels.MovesOf(ops, w, h)
	if err != nil {
		return 0, 0, err
	}
	w, h = labels.OutputSize(moves, w, h)
	return w, h, nil
}

// source returns the preview's source from the cache, or reads it: an
// upload from the preview store, a job's source from the blobs, a URL
// through the fetcher (SSRF-safe, as a job's).
func (p *Previewer) source(ctx context.Context, s domain.PreviewSource) (*cachedSource, error) {
	key := "url " + s.URL
	switch {
	case s.BlobKey != "":
		key = "blob " + s.BlobKey
	case s.Upload != "":
		key = "upload " + s.Upload
	}
	if c := p.sources.get(key); c != nil {
		return c, nil
	}
	var (
		buf  []byte
		name = s.Name
	)
	switch {
	case s.BlobKey != "":
		var err error
		if buf, err = readBlob(ctx, p.Blobs, s.BlobKey); err != nil {
			return nil, err
		}
	case s.Upload != "":
		var err error
		if buf, err = p.Store.Upload(ctx, s.Upload); err != nil {
			return nil, err
		}
	default:
		res, err := p.Fetcher.Fetch(ctx, s.URL)
		if err != nil {
			return nil, err
		}
		buf, name = res.Body, res.Name
	}
	info, err := probe(buf, p.MaxPixels)
	if err != nil {
		return nil, err
	}
	c := &cachedSource{key: key, buf: buf, info: info, record: domain.Source{
		URL: s.URL, Name: name, Width: info.Width, Height: info.Height, Format: info.Format, Bytes: int64(len(buf)),
	}}
	return p.sources.put(c), nil
}
