package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/sethvargo/go-retry"

	"github.com/augment-ml/augment/internal/domain"
)

// failure turns an error from the HTTP client or the body into the
// *domain.Error a user is shown; the cause stays attached for the logs.
// u is the requested URL; the host named is the one that failed, which after
// a redirect may be another. A transient failure comes back wrapped in
// retry.RetryableError.
func (f *Fetcher) failure(ctx context.Context, u *url.URL, err error, transient bool) error {
	host := u.Hostname()
	var ue *url.Error
	if errors.As(err, &ue) {
		if fu, perr := url.Parse(ue.URL); perr == nil && fu.Hostname() != "" {
			host = fu.Hostname()
		}
	}
	var (
		de  *domain.Error
		be  *blockedError
		dns *net.DNSError
		ne  net.Error
		ce  *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &de):
		return de // refused by checkRedirect
	case errors.As(err, &be):
		if be.Host != "" {
			host = be.Host
		}
		return domain.Wrap(err, domain.EFetchBlocked,
			"The host %q resolves to a private or loopback address, which is not allowed.", host)
	case ctx.Err() != nil:
		// The caller gave up (shutdown, its own deadline): not the URL's fault.
		return fmt.Errorf("fetch %s: %w (%w)", host, ctx.Err(), err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return domain.Wrap(err, domain.ETimeout,
			"The download from %q did not finish within %s.", host, f.cfg.Timeout)
	case errors.As(err, &dns) && dns.IsNotFound:
		return domain.Wrap(err, domain.EFetchFailed, "The host %q could not be found.", host)
	case errors.As(err, &ce):
		return domain.Wrap(err, domain.EFetchFailed, "The TLS certificate of %q could not be verified.", host)
	case ue == nil:
		return again(domain.Wrap(err, domain.EFetchFailed, "The download from %q was interrupted.", host), transient)
	}
	return again(domain.Wrap(err, domain.EFetchFailed, "The host %q could not be reached.", host), transient)
}

func again(err error, transient bool) error {
	if transient {
		return retry.RetryableError(err)
	}
	return err
}
