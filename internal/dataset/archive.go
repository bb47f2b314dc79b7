package dataset

import (
	"archive/tar"
	"archive/zip"
	"io"
	"path"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// Limits bound what an uploaded archive may hold.
type Limits struct {
	MaxEntries    int   // image entries per archive
	MaxEntryBytes int64 // decompressed size of one entry, counted as it is read
	MaxTotalBytes int64 // decompressed size of all entries together
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
