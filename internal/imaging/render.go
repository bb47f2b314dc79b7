package imaging

import (
	"context"
	"fmt"
	"reflect"

	"github.com/augment-ml/augment/internal/augment"
)

// Output says how a variant is encoded; an empty Format keeps JPEG, PNG and
// WebP sources in their format and turns others into JPEG.
type Output struct {
	Format  string
	Quality int
	Chroma  string // a JPEG's: domain.ChromaHalf, ChromaFull, or empty for libvips' rule
	Thumb   int    // when > 0, also a WebP thumbnail fitting Thumb×Thumb (Result.Thumb)
}

// Result is one encoded variant.
type Result struct {
	Bytes         []byte
	Width, Height int
	Format        string
	Thumb         *Thumb // when Output.Thumb asked for one
}

var formats = map[string]format{"jpeg": formatJPEG, "png": formatPNG, "webp": formatWebP}

// Render applies the planned ops in order to the decoded image, each as the
// table says (see renderers), and encodes the result. When ctx is done
// libvips stops computing it, and Render returns an error wrapping ctx's.
func (im *Image) Render(ctx context.Context, ops []augment.Op, out Output) (Result, error) {
	return renderChain(ctx, &chain{cur: im.img, memory: true}, ops, out, im.info.Format)
}

// renderChain applies ops on c and encodes the result; an empty out.Format is
// chosen from the source's format, src.
func renderChain(ctx context.Context, c *chain, ops []augment.Op, out Output, src string) (Result, error) {
	busy.Add(1)
	defer busy.Add(-1)
	stop := c.watch(ctx)
	defer func() {
		stop()
		c.release()
	}()
	stopped := func(what string, err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w (%v)", what, ctx.Err(), err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, op := range ops {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		r, ok := renderers[reflect.TypeOf(op)]
		if !ok {
			return Result{}, fmt.Errorf("%s: no renderer for this operation", augment.Name(op))
		}
		if err := r.render(c, op); err != nil {
			return Result{}, stopped(augment.Name(op), err)
		}
	}
	if err := c.flush(); err != nil {
		return Result{}, stopped("flush", err)
	}
	if out.Thumb > 0 {
		// NOTE: the variant is computed into memory once, then encoded and
		// shrunk from there; a lazy chain would compute every op twice.
		if err := c.materialise(); err != nil {
			return Result{}, stopped("materialise", err)
		}
	}
	format := out.Format
	if format == "" {
		format = src
		if format != "png" && format != "webp" {
			format = "jpeg"
		}
	}
	q := out.Quality
	if q == 0 {
		q = 90
	}
	// NOTE: the thumbnail is made from the same pixels in memory while the
	// variant is encoded (both only read them), on a core the encoder
	// leaves idle (BenchmarkThumb).
	var (
		thumb    *Thumb
		thumbErr error
		made     = make(chan struct{})
	)
	if out.Thumb > 0 {
		go func() {
			defer close(made)
			tb, tw, th, err := c.cur.thumb(out.Thumb, ThumbQuality)
			thumb, thumbErr = &Thumb{Bytes: tb, Width: tw, Height: th}, err
		}()
	} else {
		close(made)
	}
	b, err := c.cur.save(formats[format], q, out.Chroma)
	<-made
	if err != nil {
		return Result{}, stopped("encode "+format, err)
	}
	if thumbErr != nil {
		return Result{}, stopped("thumbnail", thumbErr)
	}
	w, h := c.size()
	return Result{Bytes: b, Width: w, Height: h, Format: format, Thumb: thumb}, nil
}
