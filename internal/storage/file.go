package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// File keeps blobs as files under a directory. Writes go to a temporary file
// that is renamed into place, so a reader never sees half a file.
type File struct {
	root string
}

// NewFile returns a store rooted at dir, creating it when missing.
func NewFile(dir string) (*File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &File{root: dir}, nil
}

// Put writes the blob at key, replacing any earlier one.
func (f *File) Put(ctx context.Context, key string, r io.Reader, _ int64, _ string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	name := filepath.Join(f.root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".put-*")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("storage: write %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("storage: write %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}

// Get opens the blob at key and returns its size.
func (f *File) Get(_ context.Context, key string) (io.ReadCloser, int64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, notFound(key)
	}
	file, err := os.Open(filepath.Join(f.root, filepath.FromSlash(key)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, notFound(key)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("storage: %w", err)
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, 0, fmt.Errorf("storage: %w", err)
	}
	return file, st.Size(), nil
}

// Delete removes the blob at key; a missing blob is not an error.
func (f *File) Delete(_ context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(f.root, filepath.FromSlash(key)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}
