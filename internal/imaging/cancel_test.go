package imaging

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/augment"
)

// TestRenderStopsWhenCancelled: a render that takes seconds (a wide blur of
// 16.8 MP, computed while it is encoded) stops when its context is cancelled
// mid-way: libvips is told to stop computing ("killed") and Render returns an
// error wrapping context.Canceled, instead of finishing the image. The same
// source then renders again with a live context.
func TestRenderStopsWhenCancelled(t *testing.T) {
	im := decode(t, "large.jpg")
	ops := []augment.Op{op("rotate", "degrees", 10.0), op("gaussian_blur", "sigma", 40.0)}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	_, err := im.Render(ctx, ops, Output{Format: "jpeg"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled render returned %v, want an error wrapping context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "killed") {
		t.Errorf("the render was not stopped inside libvips: %v", err)
	}
	if _, err := im.Render(context.Background(), ops[:1], Output{Format: "jpeg"}); err != nil {
		t.Fatalf("the source does not render after a cancelled render: %v", err)
	}
	// A context done before the render starts stops it at once.
	_, err = im.Render(ctx, ops, Output{Format: "jpeg"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a render with a done context returned %v", err)
	}
}
