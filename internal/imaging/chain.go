package imaging

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/augment-ml/augment/internal/geom"
)

// chain holds the images a render makes, so each is released once. Steps
// are lazy libvips operations; pixels are computed when the result is encoded
// or when an op needs them earlier (see materialise).
type chain struct {
	cur     vimage
	memory  bool   // cur holds its pixels in memory
	pending *warp  // geometric ops not yet applied to cur (see warp.go)
	frame   *frame // a tile's: the full-size render it scales (tile.go); nil in a full render

	mu     sync.Mutex // refs and killed, which watch reads from another goroutine
	refs   []vimage
	killed bool
}

// add makes out, the result of a call on cur, the image so far.
func (c *chain) add(out vimage, err error) error {
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.killed {
		out.kill()
	}
	c.refs = append(c.refs, out)
	c.cur = out
	c.memory = false
	return nil
}

// watch kills every image of the chain once ctx is done, so that libvips
// stops computing them and the call computing them fails. The source is left
// alone: the next render reads it.
func (c *chain) watch(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.killed = true
		for _, r := range c.refs {
			r.kill()
		}
	})
}

// materialise computes the pending steps once into memory and drops them.
// Equalize and autocontrast read statistics of the whole image and then
// every pixel again, and a perspective tile may read anywhere in its input:
// on a lazy pipeline they would compute everything before them twice.
func (c *chain) materialise() error {
	if err := c.flush(); err != nil {
		return err
	}
	if c.memory {
		return nil
	}
	out, err := c.cur.copyMemory()
	if err != nil {
		return err
	}
	c.release()
	_ = c.add(out, nil)
	c.memory = true
	return nil
}

// release drops every image of the chain.
func (c *chain) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.refs {
		r.unref()
	}
	c.refs = nil
}

// size is the size of the image so far, pending ops included.
func (c *chain) size() (int, int) {
	if c.pending != nil {
		return c.pending.w, c.pending.h
	}
	return c.cur.width(), c.cur.height()
}

// cut applies a step that is a crop (a whole-pixel shift: libvips extracts
// the area) or a resize (a scale from the origin: libvips resizes).
func (c *chain) cut(s geom.Step) error {
	if err := c.flush(); err != nil {
		return err
	}
	m := s.ToInput
	switch {
	case !m.Affine() || m[1] != 0 || m[3] != 0:
	case m[0] == 1 && m[4] == 1 && m[2] == math.Trunc(m[2]) && m[5] == math.Trunc(m[5]):
		return c.add(c.cur.crop(int(m[2]), int(m[5]), s.W, s.H))
	case m[2] == 0 && m[5] == 0:
		return c.add(c.cur.resize(s.W, s.H))
	}
	return fmt.Errorf("the step %v is neither a crop nor a resize", m)
}
