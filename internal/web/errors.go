package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

// statusOf maps each error code to its HTTP status; anything else is a 500.
var statusOf = map[string]int{
	domain.EInvalid:       http.StatusBadRequest,
	domain.EInvalidURL:    http.StatusBadRequest,
	domain.EFetchBlocked:  http.StatusBadRequest,
	domain.EFetchFailed:   http.StatusBadRequest,
	domain.EInvalidSpec:   http.StatusUnprocessableEntity,
	domain.ETooCostly:     http.StatusUnprocessableEntity,
	domain.ENotFound:      http.StatusNotFound,
	domain.ETooLarge:      http.StatusRequestEntityTooLarge,
	domain.ETooManyPixels: http.StatusRequestEntityTooLarge,
	domain.ENotImage:      http.StatusUnsupportedMediaType,
	domain.EUnsupported:   http.StatusUnsupportedMediaType,
	domain.EUnauthorized:  http.StatusUnauthorized,
	domain.ERateLimited:   http.StatusTooManyRequests,
	domain.EUnavailable:   http.StatusServiceUnavailable,
	domain.ETimeout:       http.StatusGatewayTimeout,

	domain.ELabelsSizeMismatch: http.StatusUnprocessableEntity,
}

// headlines say in a few words what went wrong, above the error's sentence.
var headlines = map[string]string{
	domain.EInvalid:       "The request could not be read",
	domain.EInvalidURL:    "That address cannot be used",
	domain.EFetchBlocked:  "That address is not allowed",
	domain.EFetchFailed:   "The image could not be downloaded",
	domain.EInvalidSpec:   "The settings are not valid",
	domain.ENotFound:      "Not found",
	domain.ETooLarge:      "Too large",
	domain.ETooManyPixels: "The image has too many pixels",
	domain.ENotImage:      "That is not an image augment can read",
	domain.EUnsupported:   "That image format is not accepted",
	domain.EUnauthorized:  "You need to log in",
	domain.ERateLimited:   "Too many requests",
	domain.EUnavailable:   "augment cannot take work right now",
	domain.ETimeout:       "It took too long",
	domain.ETooCostly:     "That would take too long to render",
	domain.EInternal:      "Something went wrong on our side",

	domain.ELabelsSizeMismatch: "The labels do not fit the image",
}

// headline says what went wrong with a job or request of code.
func headline(code string) string {
	if h, ok := headlines[code]; ok {
		return h
	}
	return headlines[domain.EInternal]
}

func statusFor(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// fail answers err in the API's error shape, or as an error page for
// browsers outside /api.
func (s *Server) fail(c *gin.Context, err error) {
	code := domain.ErrorCode(err)
	status := statusFor(code)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code, status = domain.ETooLarge, http.StatusRequestEntityTooLarge
		err = domain.Errorf(code, "The request body is larger than the limit of %d bytes.", mbe.Limit)
	}
	if status >= 500 {
		s.Log.Error("request failed", "path", c.Request.URL.Path, "code", code, "err", err)
	}
	if isAPI(c.Request.URL.Path) || !acceptsHTML(c) {
		body := gin.H{"code": code, "message": domain.ErrorMessage(err)}
		if f := fieldOf(err); f != "" {
			body["field"] = f // NOTE: which form field, for pages that submit with fetch
		}
		c.AbortWithStatusJSON(status, gin.H{"error": body})
		return
	}
	s.page(c, status, "error.html", headline(code), gin.H{"Status": status, "Code": code, "Headline": headline(code), "Message": domain.ErrorMessage(err)})
	c.Abort()
}

func acceptsHTML(c *gin.Context) bool {
	a := c.GetHeader("Accept")
	return a == "" || strings.Contains(a, "text/html") || strings.Contains(a, "*/*")
}

// isAPI tells the JSON APIs (ours and the dashboard's) from the pages.
func isAPI(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/monitoring/api/")
}
