package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"

	"github.com/augment-ml/augment/internal/domain"
)

// staticFile is one embedded asset and the hash of its bytes.
type staticFile struct {
	data []byte
	hash string
}

// staticFiles are the embedded assets, read once. Pages link to
// /static/NAME?v=HASH, which browsers may keep for a year; a request without
// the current hash revalidates with the ETag instead.
var staticFiles = func() map[string]staticFile {
	files := map[string]staticFile{}
	err := fs.WalkDir(assets, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		files[strings.TrimPrefix(p, "static/")] = staticFile{data: data, hash: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return files
}()

// assetURL is the versioned address of an embedded asset, for templates.
func assetURL(name string) string {
	f, ok := staticFiles[name]
	if !ok {
		panic("web: no static asset " + name)
	}
	return "/static/" + name + "?v=" + f.hash
}

// importMap maps every module's plain address to its versioned one, so a
// module imported by another ("./pipeline-editor.js") is cached as long as
// the page's own links are.
func importMap() template.HTML {
	imports := map[string]string{}
	for name := range staticFiles {
		if strings.HasSuffix(name, ".js") {
			imports["/static/"+name] = assetURL(name)
		}
	}
	b, _ := json.Marshal(map[string]any{"imports": imports})
	// NOTE: the names are the embedded files' own, so the JSON needs no escaping for HTML.
	return template.HTML(`<script type="importmap">` + string(b) + `</script>`)
}

func (s *Server) serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("path"), "/")
	f, ok := staticFiles[name]
	if !ok {
		s.fail(c, domain.Errorf(domain.ENotFound, "There is no file %s here.", c.Request.URL.Path))
		return
	}
	if c.Query("v") == f.hash {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Header("ETag", `"`+f.hash+`"`)
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		c.Header("Content-Type", ct)
	}
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(f.data))
}

// favicon answers the address browsers ask for on their own.
func (s *Server) favicon(c *gin.Context) {
	c.Request.URL.RawQuery = "v=" + staticFiles["favicon.png"].hash
	c.Params = gin.Params{{Key: "path", Value: "/favicon.png"}}
	s.serveStatic(c)
}

// compressible says which answers are worth compressing: text, never images
// or archives (already compressed), never event streams (sent a message at a
// time).
func compressible(ct string) bool {
	ct, _, _ = strings.Cut(strings.ToLower(ct), ";")
	ct = strings.TrimSpace(ct)
	return ct != "text/event-stream" && (strings.HasPrefix(ct, "text/") ||
		slices.Contains([]string{"application/json", "application/javascript", "image/svg+xml", "application/manifest+json"}, ct))
}

// compress wraps h so that text answers are sent gzip- or zstd-compressed to
// clients that accept it.
func compress(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.ContentTypeFilter(compressible), gzhttp.MinSize(1024))
	if err != nil {
		panic(err)
	}
	return wrap(h)
}
