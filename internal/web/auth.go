package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

const sessionCookie = "augment_session"

// allowToken reports whether the request may write when a token is set: API
// clients send "Authorization: Bearer <token>", browsers carry the login
// cookie. Otherwise it answers 401 (or sends a browser to log in).
func (s *Server) allowToken(c *gin.Context) bool {
	if s.Token == "" || s.authorized(c) {
		return true
	}
	if !isAPI(c.Request.URL.Path) && c.Request.Method == http.MethodGet &&
		strings.Contains(c.GetHeader("Accept"), "text/html") {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return false
	}
	c.Header("WWW-Authenticate", `Bearer realm="augment"`)
	s.fail(c, domain.Errorf(domain.EUnauthorized, "This needs an API token: send Authorization: Bearer <token>, or log in at /login."))
	return false
}

// guard runs before every route that writes and before the dashboard: the
// token, then the rate limit, which counts only writes that were let in
// (reads of /monitoring and 401s spend nothing).
func (s *Server) guard(c *gin.Context) {
	if s.allowToken(c) && (!isWrite(c.Request) || s.allowRate(c)) {
		c.Next()
	}
}

func isWrite(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
}

func (s *Server) authorized(c *gin.Context) bool {
	if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return subtle.ConstantTimeCompare([]byte(strings.TrimPrefix(h, "Bearer ")), []byte(s.Token)) == 1
	}
	if v, err := c.Cookie(sessionCookie); err == nil {
		return hmac.Equal([]byte(v), []byte(s.session()))
	}
	return false
}

// session is the cookie value that stands for the token; the cookie never
// holds the token itself.
func (s *Server) session() string {
	m := hmac.New(sha256.New, []byte(s.Token))
	m.Write([]byte("augment session v1"))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) loginPage(c *gin.Context) {
	c.HTML(http.StatusOK, "login.html", gin.H{"Next": safeNext(c.Query("next"))})
}

func (s *Server) login(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	if s.Token == "" || subtle.ConstantTimeCompare([]byte(c.PostForm("token")), []byte(s.Token)) != 1 {
		c.HTML(http.StatusUnauthorized, "login.html", gin.H{"Next": next, "Error": "That token is not right."})
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: s.session(), Path: "/", MaxAge: 30 * 24 * 3600,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	c.Redirect(http.StatusSeeOther, next)
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return next
}
