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
		c.AbortWithStatusJSON(status, gin.H{"error": gin.H{"code": code, "message": domain.ErrorMessage(err)}})
		return
	}
	c.HTML(status, "error.html", gin.H{"Status": status, "Code": code, "Message": domain.ErrorMessage(err)})
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
