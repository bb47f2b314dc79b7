// Package config reads environment variables for the binaries' Config
// structs, collecting every problem with the name of its variable.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Env reads typed variables through get (os.Getenv in production).
type Env struct {
	get  func(string) string
	errs []error
}

// New returns an Env that reads through get.
func New(get func(string) string) *Env { return &Env{get: get} }

// String returns the variable, or def when it is unset or empty.
func (e *Env) String(name, def string) string {
	if v := strings.TrimSpace(e.get(name)); v != "" {
		return v
	}
	return def
}

// Int returns the variable as an integer of at least minimum.
func (e *Env) Int(name string, def, minimum int64) int64 {
	v := e.get(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < minimum {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not a whole number ≥ %d", name, v, minimum))
		return def
	}
	return n
}

// Bool returns the variable as a boolean (true/false, 1/0).
func (e *Env) Bool(name string, def bool) bool {
	v := e.get(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not true or false", name, v))
		return def
	}
	return b
}

// Duration returns the variable as a positive Go duration such as 30s.
func (e *Env) Duration(name string, def time.Duration) time.Duration {
	v := e.get(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not a positive duration such as 30s", name, v))
		return def
	}
	return d
}

// Prefixes returns the variable as a comma-separated list of addresses or
// CIDR prefixes, such as 127.0.0.1,10.0.0.0/8; "none" is the empty list.
func (e *Env) Prefixes(name, def string) []netip.Prefix {
	v := e.String(name, def)
	if v == "none" {
		return nil
	}
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		} else {
			e.errs = append(e.errs, fmt.Errorf("%s: %q is not an address or a prefix such as 10.0.0.0/8", name, f))
		}
	}
	return out
}

// Check records a problem with a variable found by the caller.
func (e *Env) Check(name string, err error) {
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %w", name, err))
	}
}

// Err returns every problem found, one per line, or nil.
func (e *Env) Err() error { return errors.Join(e.errs...) }
