package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
)

// Options say how a dataset is read.
type Options struct {
	Format Format // "" detects it
	Limits Limits // zero fields are no limit
}

// layout reads one format: it claims its label files by path, parses each
// as the walk meets it, and puts the dataset together once every file has
// been seen (labels may come before or after their images).
type layout interface {
	// claims says whether p is a label or metadata file of the format.
	claims(p string) bool
	parse(p string, r io.Reader) error
	// assemble attaches the parsed labels to the images and fills in the
	// classes, splits and warnings.
	assemble(ds *Dataset, images map[string]*Image) error
}

// Read reads a dataset: one pass over the names to find its root and
// layout, one streaming pass over the bytes. A label file that cannot be
// parsed is an invalid_spec error naming the file (and line); problems that
// leave the dataset usable are warnings.
func Read(src Source, opt Options) (*Dataset, error) {
	var names []string
	if err := src.Walk(true, func(p string, _ io.Reader) error { names = append(names, p); return nil }); err != nil {
		return nil, err
	}
	prefix := root(names)
	rel := func(p string) (string, bool) {
		if prefix == "" {
			return p, true
		}
		r, ok := strings.CutPrefix(p, prefix+"/")
		return r, ok
	}
	relNames := make([]string, 0, len(names))
	for _, p := range names {
		if r, ok := rel(p); ok {
			relNames = append(relNames, r)
		}
	}
	format := opt.Format
	if format == "" {
		format = Detect(relNames)
	}
	ds := &Dataset{Format: format, Root: prefix}
	lay := newLayout(format, ds, relNames)
	images := map[string]*Image{}
	var total int64
	bufs := &imageBuffers{head: make([]byte, 0, headBytes), copy: make([]byte, 64<<10)}
	err := src.Walk(false, func(full string, body io.Reader) error {
		p, ok := rel(full)
		if !ok {
			ds.Other = append(ds.Other, OtherFile{Path: full})
			return nil
		}
		if lay.claims(p) {
			lr := &limitReader{r: body, n: opt.Limits.MaxTotalBytes - total, what: p, limit: opt.Limits.MaxTotalBytes, total: true}
			err := lay.parse(p, lr)
			total += lr.read
			if err != nil && !errors.As(err, new(*domain.Error)) {
				err = domain.Errorf(domain.EInvalid, "The file %q could not be read: %v.", p, err)
			}
			return err
		}
		if !isImagePath(p) {
			ds.Other = append(ds.Other, OtherFile{Path: p})
			return nil
		}
		if opt.Limits.MaxEntries > 0 && len(images) >= opt.Limits.MaxEntries {
			return domain.Errorf(domain.ETooLarge, "The archive holds more than the limit of %d images.", opt.Limits.MaxEntries)
		}
		im, n, err := readImage(p, body, opt, bufs)
		total += n
		if err != nil {
			return err
		}
		if opt.Limits.MaxTotalBytes > 0 && total > opt.Limits.MaxTotalBytes {
			return domain.Errorf(domain.ETooLarge, "The archive unpacks to more than the limit of %d bytes.", opt.Limits.MaxTotalBytes)
		}
		if im == nil {
			ds.Skipped = append(ds.Skipped, domain.Skipped{Name: p, Reason: "not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF)"})
			return nil
		}
		images[p] = im
		return nil
	})
	if err != nil {
		var de *domain.Error
		if !errors.As(err, &de) {
			err = domain.Errorf(domain.EInvalid, "The dataset could not be read: %v.", err)
		}
		return nil, err
	}
	if err := checkStems(format, images); err != nil {
		return nil, err
	}
	if err := lay.assemble(ds, images); err != nil {
		return nil, err
	}
	ds.finish(images)
	return ds, nil
}

// readImage streams an image's bytes through the hash, reading its size
// from the header. It returns nil for bytes that are no supported image.
func readImage(p string, body io.Reader, opt Options, bufs *imageBuffers) (*Image, int64, error) {
	im := &Image{Path: p, Split: splitOf(p)}
	h := sha256.New()
	head := &prefixBuffer{b: bufs.head[:0]}
	lr := &limitReader{r: body, n: opt.Limits.MaxEntryBytes, what: p, limit: opt.Limits.MaxEntryBytes}
	if _, err := io.CopyBuffer(io.MultiWriter(h, head), lr, bufs.copy); err != nil {
		if !errors.As(err, new(*domain.Error)) {
			err = domain.Errorf(domain.EInvalid, "The file %q could not be read: %v.", p, err)
		}
		return nil, lr.read, err
	}
	im.Format = fetch.Sniff(head.b)
	if im.Format == "" {
		return nil, lr.read, nil
	}
	im.Bytes, im.SHA256 = lr.read, hex.EncodeToString(h.Sum(nil))
	im.Width, im.Height, im.Orientation = displayedSize(head.b)
	return im, lr.read, nil
}

// finish sorts the images, fills in the splits and checks the boxes.
func (ds *Dataset) finish(images map[string]*Image) {
	ds.Images = make([]*Image, 0, len(images))
	splits := map[string]bool{}
	for _, im := range images {
		ds.Images = append(ds.Images, im)
		if im.Split != "" {
			splits[im.Split] = true
		}
	}
	sort.Slice(ds.Images, func(i, j int) bool { return ds.Images[i].Path < ds.Images[j].Path })
	ds.Splits = ds.Splits[:0]
	for s := range splits {
		ds.Splits = append(ds.Splits, s)
	}
	sortSplits(ds.Splits)
	for _, im := range ds.Images {
		ds.checkImage(im)
		for _, o := range im.Objects {
			ds.KeypointSlots = max(ds.KeypointSlots, len(o.Keypoints))
		}
	}
	sort.SliceStable(ds.Warnings, func(i, j int) bool { return ds.Warnings[i].Path < ds.Warnings[j].Path })
}

// headBytes is how much of an image is kept to read its size: enough for
// the EXIF block and the frame header of a JPEG from a phone.
const headBytes = 256 << 10

// imageBuffers are reused from one image to the next: reading a dataset
// allocates per image only what it keeps.
type imageBuffers struct {
	head []byte
	copy []byte
}

// prefixBuffer keeps the first cap(b) bytes written to it.
type prefixBuffer struct{ b []byte }

func (p *prefixBuffer) Write(q []byte) (int, error) {
	if room := cap(p.b) - len(p.b); room > 0 {
		p.b = append(p.b, q[:min(room, len(q))]...)
	}
	return len(q), nil
}

// limitReader counts the bytes really read and fails past n (when n > 0):
// sizes are never taken from headers, so a bomb stops at the limit.
type limitReader struct {
	r     io.Reader
	n     int64
	read  int64
	what  string
	limit int64
	total bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.limit > 0 && l.read > l.n {
		if l.total {
			return n, domain.Errorf(domain.ETooLarge, "The archive unpacks to more than the limit of %d bytes (at %s).", l.limit, l.what)
		}
		return n, domain.Errorf(domain.ETooLarge, "The archive entry %q is larger than the limit of %d bytes.", l.what, l.limit)
	}
	return n, err
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// labelError is the error for a label file that cannot be parsed.
func labelError(p string, line int, format string, args ...any) error {
	where := p
	if line > 0 {
		where = fmt.Sprintf("%s line %d", p, line)
	}
	return domain.Errorf(domain.EInvalidSpec, "%s: %s", where, fmt.Sprintf(format, args...))
}
