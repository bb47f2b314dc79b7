package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

const sessionCookie = "augment_session"

// loginsPerMinute is how many tokens one client address may try a minute.
const loginsPerMinute = 10

// allowToken reports whether the request may go on when a token is set: API
// clients send "Authorization: Bearer <token>", browsers carry the login
// cookie. Otherwise a browser is sent to log in and come back, and anything
// else gets 401.
func (s *Server) allowToken(c *gin.Context) bool {
	if s.Token == "" || s.authorized(c) {
		return true
	}
	if !isAPI(c.Request.URL.Path) && strings.Contains(c.GetHeader("Accept"), "text/html") {
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			next = formPage(c.Request.URL.Path) // NOTE: a POST cannot be replayed by a redirect; go back to its form
		}
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		c.Abort()
		return false
	}
	c.Header("WWW-Authenticate", `Bearer realm="augment"`)
	s.fail(c, domain.Errorf(domain.EUnauthorized, "This needs an API token: send Authorization: Bearer <token>, or log in at /login."))
	return false
}

// formPage is the page that holds the form posting to path.
func formPage(path string) string {
	if path == "/batches" {
		return "/?tab=batch"
	}
	return "/"
}

// guard runs before every route that writes and before the dashboard: the
// token, then the rate limit, which counts only writes that were let in
// (reads of /monitoring and 401s spend nothing).
func (s *Server) guard(c *gin.Context) {
	if s.allowToken(c) && (!isWrite(c.Request) || s.allowRate(c)) {
		c.Next()
	}
}

// needToken runs before reads that list everyone's work: token only, no
// write budget spent.
func (s *Server) needToken(c *gin.Context) {
	if s.allowToken(c) {
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

// authState is what the pages show of the visitor's login.
type authState struct {
	Needed   bool // API_TOKEN is set
	LoggedIn bool
}

func (s *Server) authState(c *gin.Context) authState {
	return authState{Needed: s.Token != "", LoggedIn: s.Token != "" && s.authorized(c)}
}

func (s *Server) loginPage(c *gin.Context) {
	s.page(c, http.StatusOK, "login.html", "Log in", gin.H{"Next": safeNext(c.Query("next"))})
}

func (s *Server) login(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	if d := s.logins.wait(c.ClientIP()); d > 0 {
		secs := int(math.Ceil(d.Seconds()))
		c.Header("Retry-After", strconv.Itoa(secs))
		s.page(c, http.StatusTooManyRequests, "login.html", "Log in", gin.H{"Next": next,
			"Error": "Too many tries from your address; wait " + strconv.Itoa(secs) + " seconds and try again."})
		return
	}
	if s.Token == "" {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	if subtle.ConstantTimeCompare([]byte(c.PostForm("token")), []byte(s.Token)) != 1 {
		s.page(c, http.StatusUnauthorized, "login.html", "Log in", gin.H{"Next": next, "Error": "That token is not right."})
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: s.session(), Path: "/", MaxAge: 30 * 24 * 3600,
		HttpOnly: true, Secure: s.overHTTPS(c), SameSite: http.SameSiteLaxMode,
	})
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.overHTTPS(c), SameSite: http.SameSiteLaxMode,
	})
	c.Redirect(http.StatusSeeOther, "/")
}

// overHTTPS tells whether the browser reached us over HTTPS: directly, or
// through a proxy in TrustedProxies that says so in X-Forwarded-Proto. Only
// then is the cookie marked Secure, so that logging in works over plain HTTP
// on a LAN, where a Secure cookie would be dropped and the login would loop.
func (s *Server) overHTTPS(c *gin.Context) bool {
	if c.Request.TLS != nil {
		return true
	}
	if !strings.EqualFold(strings.TrimSpace(c.GetHeader("X-Forwarded-Proto")), "https") {
		return false
	}
	ap, err := netip.ParseAddrPort(c.Request.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range s.TrustedProxies {
		if p.Contains(ap.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// safeNext keeps a post-login redirect on this site. It reads next as a
// browser would read a Location header — tabs and newlines dropped,
// backslashes taken for slashes, surrounding spaces and controls trimmed —
// and accepts only a path that stays on this host; anything else is "/".
func safeNext(next string) string {
	next = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, next)
	next = strings.Trim(next, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f ")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.ContainsFunc(next, isControl) {
		return "/"
	}
	return next
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
