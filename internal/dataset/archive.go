package dataset

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
)

// Limits bound what an uploaded archive may hold.
type Limits struct {
	MaxEntries    int   // image entries per archive
	MaxEntryBytes int64 // decompressed size of one entry, counted as it is read
	MaxTotalBytes int64 // decompressed size of all entries together
}

// Entry is one image read out of an archive.
type Entry struct {
	Path string // its full relative path inside the archive, slash-separated and clean
	Data []byte
}

// ReadArchive reads the images of a .zip, .tar or .tar.gz (told apart by
// their bytes), calling add for each one. Entries that are not images are
// summed up in the returned report; unsafe paths and entries over a limit refuse the
// whole archive. Sizes are counted while decompressing, never taken from
// headers, so a zip bomb stops at the limit.
func ReadArchive(r io.ReaderAt, size int64, lim Limits, add func(Entry) error) (domain.SkipReport, error) {
	head := make([]byte, 4)
	_, _ = r.ReadAt(head, 0)
	sr := io.NewSectionReader(r, 0, size)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		zr, err := zip.NewReader(r, size)
		if err != nil {
			return domain.SkipReport{}, domain.Errorf(domain.EInvalid, "The archive is not a readable zip file: %v.", err)
		}
		next := zipEntries(zr)
		return walkArchive(next, lim, add)
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(sr)
		if err != nil {
			return domain.SkipReport{}, domain.Errorf(domain.EInvalid, "The archive is not a readable .tar.gz file: %v.", err)
		}
		defer gz.Close()
		return walkArchive(tarEntries(tar.NewReader(bufio.NewReader(gz))), lim, add)
	default:
		return walkArchive(tarEntries(tar.NewReader(sr)), lim, add)
	}
}

// entryFunc yields the next entry: its name, whether it is a regular file,
// and its contents; io.EOF ends the archive.
type entryFunc func() (name string, regular bool, body io.Reader, err error)

func zipEntries(zr *zip.Reader) entryFunc {
	i := 0
	return func() (string, bool, io.Reader, error) {
		if i >= len(zr.File) {
			return "", false, nil, io.EOF
		}
		f := zr.File[i]
		i++
		if !f.Mode().IsRegular() {
			return f.Name, false, nil, nil
		}
		rc, err := f.Open()
		if err != nil {
			return f.Name, true, nil, err
		}
		return f.Name, true, rc, nil
	}
}

func tarEntries(tr *tar.Reader) entryFunc {
	return func() (string, bool, io.Reader, error) {
		h, err := tr.Next()
		if err != nil {
			return "", false, nil, err
		}
		return h.Name, h.Typeflag == tar.TypeReg, tr, nil
	}
}

func walkArchive(next entryFunc, lim Limits, add func(Entry) error) (domain.SkipReport, error) {
	var (
		skipped domain.SkipReport
		total   int64
		images  int
	)
	for {
		name, regular, body, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return skipped, domain.Errorf(domain.EInvalid, "The archive is damaged near %q: %v.", name, err)
		}
		if err := checkEntryName(name); err != nil {
			return skipped, err
		}
		if !regular || ignoredEntry(name) {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(body, lim.MaxEntryBytes+1))
		if c, ok := body.(io.Closer); ok {
			c.Close()
		}
		if err != nil {
			return skipped, domain.Errorf(domain.EInvalid, "The archive entry %q could not be read: %v.", name, err)
		}
		if int64(len(data)) > lim.MaxEntryBytes {
			return skipped, domain.Errorf(domain.ETooLarge, "The archive entry %q is larger than the limit of %d bytes.", name, lim.MaxEntryBytes)
		}
		if total += int64(len(data)); total > lim.MaxTotalBytes {
			return skipped, domain.Errorf(domain.ETooLarge, "The archive unpacks to more than the limit of %d bytes.", lim.MaxTotalBytes)
		}
		if kind := fetch.Sniff(data); kind == "" {
			skipped.Add(name, "not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF)")
			continue
		}
		if images++; images > lim.MaxEntries {
			return skipped, domain.Errorf(domain.ETooLarge, "The archive holds more than the limit of %d images.", lim.MaxEntries)
		}
		if err := add(Entry{Path: cleanPath(name), Data: data}); err != nil {
			return skipped, err
		}
	}
	return skipped, nil
}

// checkEntryName refuses absolute paths and paths that climb out of the archive.
func checkEntryName(name string) error {
	clean := path.Clean(strings.ReplaceAll(name, `\`, "/"))
	if strings.HasPrefix(clean, "/") || clean == ".." || strings.HasPrefix(clean, "../") ||
		(len(clean) > 1 && clean[1] == ':') || strings.Contains(name, "\x00") {
		return domain.Errorf(domain.EInvalid, "The archive entry %q has an absolute or climbing path; such archives are refused.", name)
	}
	return nil
}

// cleanPath is an entry's name as a clean, slash-separated relative path.
func cleanPath(name string) string {
	return strings.TrimPrefix(path.Clean(strings.ReplaceAll(name, `\`, "/")), "./")
}

// ignoredEntry skips the metadata files that archivers add.
func ignoredEntry(name string) bool {
	base := path.Base(name)
	return strings.HasPrefix(name, "__MACOSX/") || base == ".DS_Store" || base == "Thumbs.db"
}
