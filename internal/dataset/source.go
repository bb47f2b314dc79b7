package dataset

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/augment-ml/augment/internal/domain"
)

// Source is the files of a dataset: a folder or an archive. Walking it
// streams the files in one pass; nothing is held beyond the file at hand.
type Source interface {
	// Walk calls fn for each regular file with its clean, slash-separated
	// path; body reads its bytes and is valid only during the call. With
	// names set, body is nil: a cheap pass over the names alone.
	Walk(names bool, fn func(p string, body io.Reader) error) error
}

// Dir is a dataset in a folder. Symbolic links are not followed.
type Dir string

// Walk visits the folder's files in lexical order.
func (d Dir) Walk(names bool, fn func(p string, body io.Reader) error) error {
	fsys := os.DirFS(string(d))
	return fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return domain.Wrap(err, domain.EInvalid, "The folder %s could not be read.", filepath.Join(string(d), p))
		}
		if !e.Type().IsRegular() || ignoredEntry(p) {
			return nil
		}
		if names {
			return fn(p, nil)
		}
		f, err := fsys.Open(p)
		if err != nil {
			return domain.Wrap(err, domain.EInvalid, "The file %s could not be read.", p)
		}
		defer f.Close()
		return fn(p, f)
	})
}

// Archive is a dataset in a .zip, .tar or .tar.gz, read in place: a zip
// through its central directory, a tar by streaming it from the start on
// each walk. Unsafe paths refuse the archive.
type Archive struct {
	r    io.ReaderAt
	size int64
	zip  *zip.Reader
	gz   bool
}

// OpenArchive recognises the archive by its first bytes.
func OpenArchive(r io.ReaderAt, size int64) (*Archive, error) {
	head := make([]byte, 4)
	_, _ = r.ReadAt(head, 0)
	a := &Archive{r: r, size: size}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		zr, err := zip.NewReader(r, size)
		if err != nil {
			return nil, domain.Errorf(domain.EInvalid, "The archive is not a readable zip file: %v.", err)
		}
		a.zip = zr
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		a.gz = true
	}
	return a, nil
}

// Walk visits the archive's files in the order they are stored.
func (a *Archive) Walk(names bool, fn func(p string, body io.Reader) error) error {
	next, done, err := a.entries()
	if err != nil {
		return err
	}
	defer done()
	for {
		name, regular, body, err := next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return domain.Errorf(domain.EInvalid, "The archive is damaged near %q: %v.", name, err)
		}
		if err := checkEntryName(name); err != nil {
			return err
		}
		if !regular || ignoredEntry(name) {
			continue
		}
		if names {
			body = nil
		}
		err = fn(cleanPath(name), body)
		if c, ok := body.(io.Closer); ok {
			c.Close()
		}
		if err != nil {
			return err
		}
	}
}

func (a *Archive) entries() (entryFunc, func(), error) {
	if a.zip != nil {
		return zipEntries(a.zip), func() {}, nil
	}
	sr := io.NewSectionReader(a.r, 0, a.size)
	if !a.gz {
		return tarEntries(tar.NewReader(sr)), func() {}, nil
	}
	gz, err := gzip.NewReader(sr)
	if err != nil {
		return nil, nil, domain.Errorf(domain.EInvalid, "The archive is not a readable .tar.gz file: %v.", err)
	}
	return tarEntries(tar.NewReader(bufio.NewReader(gz))), func() { gz.Close() }, nil
}

// Files is a dataset held in memory, by path: for tests and small uploads.
type Files map[string][]byte

// Walk visits the files in lexical order.
func (m Files) Walk(names bool, fn func(p string, body io.Reader) error) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := checkEntryName(k); err != nil {
			return err
		}
		if ignoredEntry(k) {
			continue
		}
		var body io.Reader
		if !names {
			body = bytes.NewReader(m[k])
		}
		if err := fn(path.Clean(k), body); err != nil {
			return err
		}
	}
	return nil
}
