package domain

import (
	"context"
	"encoding/json"
)

// A preview is a job's variants drawn small and kept briefly: the tiles of
// the explorer. Tile i has the ops and labels variant i of a job with the
// same source, spec and seed has, and shows that variant scaled down.
// Nothing of a preview is recorded in the job store.

// Preview is a request for tiles.
type Preview struct {
	ID     string        `json:"id"`
	Source PreviewSource `json:"source"`
	Spec   Spec          `json:"spec"` // Variants tiles; Labels drawn on each
	Size   int           `json:"size"` // the tiles' longest side at most, in pixels
}

// PreviewSource is where a preview's source comes from: one of a URL, a
// job's stored source (BlobKey) or an upload kept for previews (Upload, the
// id PreviewStore.PutUpload gave).
type PreviewSource struct {
	URL     string `json:"url,omitempty"`
	BlobKey string `json:"blob_key,omitempty"`
	Upload  string `json:"upload,omitempty"`
	JobID   string `json:"job_id,omitempty"`
	Name    string `json:"name,omitempty"`
	// The semantic mask the tiles have moved with their pixels, if any:
	// a job's, kept at MaskKey; an upload kept for previews; or a URL.
	MaskKey    string `json:"mask_key,omitempty"`
	MaskUpload string `json:"mask_upload,omitempty"`
	MaskURL    string `json:"mask_url,omitempty"`
	// SeedKey is the source's key in its batch (a job's SeedKey): variant i
	// draws from (seed, SeedKey, i), as the job's did.
	SeedKey string `json:"seed_key,omitempty"`
}

// PreviewResult is what a worker made of a Preview, or the error that
// stopped it.
type PreviewResult struct {
	Source Source   `json:"source"` // as probed: size as displayed, format, bytes
	Tiles  []Tile   `json:"tiles"`
	Error  *Failure `json:"error,omitempty"`
	Millis float64  `json:"ms"` // the worker's time, fetch included
}

// Failure is an Error as it travels between processes: its code and public
// message.
type Failure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Tile is one variant of a preview.
type Tile struct {
	Index  int             `json:"index"`
	Width  int             `json:"width"`  // the tile's
	Height int             `json:"height"` // the tile's
	Format string          `json:"format"`
	Full   [2]int          `json:"full"` // the variant's width and height: labels are in its pixels
	Ops    json.RawMessage `json:"ops"`
	Labels *VariantLabels  `json:"labels,omitempty"`
	Mask   bool            `json:"mask,omitempty"` // the tile has a mask, at its size (Previewer.TileMask)
}

// Previewer renders previews on the workers and keeps their tiles briefly.
type Previewer interface {
	// Preview queues p on the interactive queue and waits for its tiles:
	// EUnavailable when the queue cannot take it, ETimeout when no worker
	// answered in time.
	Preview(ctx context.Context, p *Preview) (*PreviewResult, error)
	// Tile is tile index of preview id: its bytes and format; ENotFound
	// once it has expired.
	Tile(ctx context.Context, id string, index int) ([]byte, string, error)
	// TileMask is the mask of tile index of preview id, a PNG at the
	// tile's size; ENotFound once expired, or for a tile without one.
	TileMask(ctx context.Context, id string, index int) ([]byte, error)
	// PutUpload keeps an uploaded source or mask for previews and returns
	// its id.
	PutUpload(ctx context.Context, buf []byte) (string, error)
	// Upload is what PutUpload kept as id; ENotFound once expired.
	Upload(ctx context.Context, id string) ([]byte, error)
}
