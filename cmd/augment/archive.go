package main

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/augment-ml/augment/internal/dataset"
)

// zipDir writes the folder's files as a zip: images stored (they are
// compressed already), the rest deflated. Links are not followed.
func zipDir(ctx context.Context, dir string, w io.Writer) error {
	zw := zip.NewWriter(w)
	err := dataset.Dir(dir).Walk(false, func(p string, body io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		method := zip.Deflate
		switch strings.ToLower(path.Ext(p)) {
		case ".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".heic":
			method = zip.Store
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: method})
		if err != nil {
			return err
		}
		_, err = io.Copy(f, body)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

// failure is a line of the result's failures.jsonl.
type failure struct {
	Source  string `json:"source"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// download fetches the batch's zip into a temporary file (a zip is read
// from its end) and unpacks it into out. It returns the number of files
// and the failures the zip lists.
func (c *client) download(ctx context.Context, b *batch, out string) (int, []failure, error) {
	href := b.ArchiveHref
	if href == "" {
		href = "/api/v1/batches/" + b.ID + "/archive"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+href, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	tmp, err := os.CreateTemp("", "augment-*.zip")
	if err != nil {
		return 0, nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	size, err := io.Copy(tmp, resp.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("the download of the result stopped: %w", err)
	}
	zr, err := zip.NewReader(tmp, size)
	if err != nil {
		return 0, nil, fmt.Errorf("the result is not a readable zip: %w", err)
	}
	return unpack(zr, out)
}

// unpack writes a zip's regular files under out, refusing any entry whose
// path is absolute or climbs out of it.
func unpack(zr *zip.Reader, out string) (int, []failure, error) {
	for _, f := range zr.File {
		if err := dataset.CheckPath(f.Name); err != nil {
			return 0, nil, fmt.Errorf("the result holds the unsafe path %q; nothing was unpacked", f.Name)
		}
	}
	n := 0
	var failures []failure
	for _, f := range zr.File {
		if !f.Mode().IsRegular() {
			continue
		}
		full := filepath.Join(out, filepath.FromSlash(path.Clean(f.Name)))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return n, nil, err
		}
		if err := copyEntry(f, full); err != nil {
			return n, nil, fmt.Errorf("unpacking %s: %w", f.Name, err)
		}
		n++
		if f.Name == "failures.jsonl" {
			failures = readFailures(full)
		}
	}
	return n, failures, nil
}

func copyEntry(f *zip.File, full string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	w, err := os.OpenFile(full, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, rc); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func readFailures(p string) []failure {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []failure
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l failure
		if json.Unmarshal(sc.Bytes(), &l) == nil {
			out = append(out, l)
		}
	}
	return out
}
