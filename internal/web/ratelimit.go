package web

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/augment-ml/augment/internal/domain"
)

// limiter keeps one token bucket per client address.
type limiter struct {
	perMinute int
	mu        sync.Mutex
	clients   map[string]*client
	swept     time.Time
}

type client struct {
	bucket *rate.Limiter
	seen   time.Time
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMinute: perMinute, clients: map[string]*client{}, swept: time.Now()}
}

// wait returns how long the client at addr must wait before its next write,
// zero when it may go ahead now.
func (l *limiter) wait(addr string) time.Duration {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute { // forget idle clients
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[addr]
	if !ok {
		c = &client{bucket: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
		l.clients[addr] = c
	}
	c.seen = now
	r := c.bucket.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// allowRate answers 429 with Retry-After to a client over its write budget.
func (s *Server) allowRate(c *gin.Context) bool {
	if s.limits == nil {
		return true
	}
	if d := s.limits.wait(c.ClientIP()); d > 0 {
		secs := int(math.Ceil(d.Seconds()))
		c.Header("Retry-After", strconv.Itoa(secs))
		s.fail(c, domain.Errorf(domain.ERateLimited, "Too many requests from your address; try again in %d seconds.", secs))
		return false
	}
	return true
}
