package web

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed templates static
var assets embed.FS

var funcs = template.FuncMap{
	"asset":     assetURL,
	"importmap": importMap,
	"caption":   caption,
	"spec":      specFields,
	"list":      func(v ...string) []string { return v },
	"slug":      slug,
	"label":     sourceLabel,
	"json": func(v any) string {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	},
	"compact": func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	},
}

// templates parses the pages once.
func templates() *template.Template {
	return template.Must(template.New("").Funcs(funcs).ParseFS(assets, "templates/*.html"))
}

// page renders a template with what every page needs besides its own data:
// its title and the visitor's login state.
func (s *Server) page(c *gin.Context, status int, name, title string, data gin.H) {
	if data == nil {
		data = gin.H{}
	}
	data["Title"] = title
	data["Auth"] = s.authState(c)
	c.HTML(status, name, data)
}

// pageOK renders a page with status 200.
func (s *Server) pageOK(c *gin.Context, name, title string, data gin.H) {
	s.page(c, http.StatusOK, name, title, data)
}

// slug makes an id for an anchor: "blur, noise, quality" → "blur-noise-quality".
func slug(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	}), "-")
}
