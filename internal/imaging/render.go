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
}

// Result is one encoded variant.
type Result struct {
	Bytes         []byte
	Width, Height int
	Format        string
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
	b, err := c.cur.save(formats[format], q)
	if err != nil {
		return Result{}, stopped("encode "+format, err)
	}
	w, h := c.size()
	return Result{Bytes: b, Width: w, Height: h, Format: format}, nil
}
