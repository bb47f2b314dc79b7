package worker

import (
	"context"
	"fmt"
	"io"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
)

// readBlob reads the whole blob kept at key: a source or a mask stored by
// the api or by an earlier attempt, a variant.
func readBlob(ctx context.Context, blobs domain.Blobs, key string) ([]byte, error) {
	r, _, err := blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return buf, nil
}

// probe reads a source's header and refuses one over maxPixels.
func probe(buf []byte, maxPixels int) (imaging.Info, error) {
	info, err := imaging.Probe(buf)
	if err != nil {
		return info, err
	}
	if info.Width*info.Height > maxPixels {
		return info, domain.Errorf(domain.ETooManyPixels,
			"The image is %d×%d pixels; the limit is %d pixels.", info.Width, info.Height, maxPixels)
	}
	return info, nil
}
