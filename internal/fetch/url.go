package fetch

import (
	"net/url"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// MaxURLLength is the longest URL accepted, in bytes.
const MaxURLLength = 2048

// ValidateURL checks raw syntactically, without any DNS lookup, as the API
// does at submission: an absolute http or https URL with a host, no user name
// or password, at most MaxURLLength bytes. It returns an EInvalidURL
// *domain.Error whose message names the problem.
//
// Whether the host may be reached is decided only when a Fetcher connects,
// because a name can resolve differently by then.
func ValidateURL(raw string) (*url.URL, error) {
	switch {
	case strings.TrimSpace(raw) == "":
		return nil, domain.Errorf(domain.EInvalidURL, "The URL is empty.")
	case len(raw) > MaxURLLength:
		return nil, domain.Errorf(domain.EInvalidURL, "The URL is %d characters long; the limit is %d.", len(raw), MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, domain.Wrap(err, domain.EInvalidURL, "The URL could not be parsed; check it for spaces or stray characters.")
	}
	return u, checkURL(u)
}

// checkURL applies ValidateURL's rules to a parsed URL; redirects are held to
// them too.
func checkURL(u *url.URL) error {
	switch {
	case u.Scheme == "":
		return domain.Errorf(domain.EInvalidURL, "The URL must start with http:// or https://.")
	case u.Scheme != "http" && u.Scheme != "https":
		return domain.Errorf(domain.EInvalidURL, "The URL must start with http:// or https://, not %s:.", u.Scheme)
	case u.Opaque != "" || u.Hostname() == "":
		return domain.Errorf(domain.EInvalidURL, "The URL has no host name.")
	case u.User != nil:
		return domain.Errorf(domain.EInvalidURL, "The URL must not contain a user name or password.")
	case len(u.String()) > MaxURLLength:
		return domain.Errorf(domain.EInvalidURL, "The URL is longer than the limit of %d characters.", MaxURLLength)
	}
	return nil
}
