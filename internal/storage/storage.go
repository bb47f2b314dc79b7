// Package storage keeps image bytes. Open picks an implementation from a
// STORAGE_URL; every implementation passes the same conformance suite.
package storage

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// Open returns the store that rawURL names: file://DIR or
// s3://BUCKET/PREFIX?endpoint=HOST:PORT&region=R.
func Open(ctx context.Context, rawURL string) (domain.Blobs, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("STORAGE_URL: %w", err)
	}
	switch u.Scheme {
	case "file":
		dir := u.Host + u.Path // file://./data → "./data"; file:///srv/data → "/srv/data"
		if dir == "" {
			return nil, fmt.Errorf("STORAGE_URL: file:// needs a directory, as in file://./data")
		}
		return NewFile(dir)
	case "s3":
		return NewS3(ctx, u)
	default:
		return nil, fmt.Errorf("STORAGE_URL: unknown scheme %q (want file:// or s3://)", u.Scheme)
	}
}

// checkKey refuses keys that could escape the store's root.
func checkKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || path.Clean(key) != key || strings.HasPrefix(key, "..") {
		return fmt.Errorf("storage: invalid key %q", key)
	}
	return nil
}

func notFound(key string) error {
	return domain.Errorf(domain.ENotFound, "The file %s does not exist.", path.Base(key))
}
