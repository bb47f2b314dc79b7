package worker

import (
	"slices"
	"sync"
	"time"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
)

// The explorer asks for previews of one source again and again (each
// change of the pipeline, each re-roll): the worker keeps the last few
// sources it read, and their decodes at preview sizes, for a few minutes.

// Cache bounds: a decode of more pixels than cachePixels is dropped once
// its preview is done.
const (
	cacheEntries = 4
	cacheTTL     = 10 * time.Minute
	cachePixels  = 4 << 20
)

// sourceCache holds the most recently used sources last.
type sourceCache struct {
	mu      sync.Mutex
	entries []*cachedSource
}

// cachedSource is a source's bytes, what its header says, and its decodes.
// Previews that use it hold it (users) until they release it.
type cachedSource struct {
	key    string
	buf    []byte
	info   imaging.Info
	record domain.Source

	cache *sourceCache
	until time.Time
	users int  // guarded by cache.mu
	gone  bool // evicted: closed when its last user releases it

	mu   sync.Mutex
	imgs []*imaging.Image
}

// get returns the source kept under key, held, or nil.
func (s *sourceCache) get(key string) *cachedSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.entries {
		if c.key == key && time.Now().Before(c.until) {
			c.users++
			s.entries = append(slices.Delete(s.entries, i, i+1), c)
			return c
		}
	}
	return nil
}

// put keeps c, held, dropping the oldest and expired sources.
func (s *sourceCache) put(c *cachedSource) *cachedSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.cache, c.users, c.until = s, 1, time.Now().Add(cacheTTL)
	kept := s.entries[:0]
	for i, e := range s.entries {
		if e.key == c.key || time.Now().After(e.until) || len(s.entries)-i >= cacheEntries {
			e.gone = true
			if e.users == 0 {
				e.close()
			}
			continue
		}
		kept = append(kept, e)
	}
	s.entries = append(kept, c)
	return c
}

// release ends a preview's hold on c.
func (c *cachedSource) release() {
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	c.users--
	if c.users > 0 {
		return
	}
	if c.gone {
		c.close()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.imgs = slices.DeleteFunc(c.imgs, func(im *imaging.Image) bool {
		if w, h := im.Size(); w*h > cachePixels {
			im.Close()
			return true
		}
		return false
	})
}

func (c *cachedSource) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, im := range c.imgs {
		im.Close()
	}
	c.imgs = nil
}

// image is the source decoded with a longest side of at least least (see
// imaging.DecodeAtLeast): the smallest such decode kept, or a new one.
func (c *cachedSource) image(least, maxPixels int) (*imaging.Image, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	need := min(least, max(c.info.Width, c.info.Height))
	var best *imaging.Image
	for _, im := range c.imgs {
		if w, h := im.Size(); max(w, h) >= need {
			if best == nil || max(w, h) < max(best.Size()) {
				best = im
			}
		}
	}
	// NOTE: a decode over twice the size needed makes every tile scale it
	// down first: decode again, smaller.
	if best != nil && max(best.Size()) <= 2*need {
		return best, nil
	}
	im, err := imaging.DecodeAtLeast(c.buf, maxPixels, least)
	if err != nil {
		return nil, err
	}
	c.imgs = append(c.imgs, im)
	return im, nil
}
