package fetch

import (
	"context"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

func TestValidateURL(t *testing.T) {
	tests := []struct {
		in       string
		contains string // "" when the URL is valid
	}{
		{"http://example.com/a.png", ""},
		{"https://example.com:8443/a%20b.jpg?x=1#frag", ""},
		{"HTTPS://Example.com/a.png", ""},
		{"http://[2606:4700::1111]/a.png", ""},
		{"", "empty"},
		{"   ", "empty"},
		{"ftp://example.com/a.png", "not ftp:"},
		{"javascript:alert(1)", "not javascript:"},
		{"file:///etc/passwd", "not file:"},
		{"//example.com/a.png", "must start with http:// or https://"},
		{"example.com/a.png", "must start with http:// or https://"},
		{"http://", "no host"},
		{"http:///a.png", "no host"},
		{"http:example.com", "no host"},
		{"http://user:pass@example.com/a.png", "user name or password"},
		{"http://user@example.com/a.png", "user name or password"},
		{"http://exa mple.com/", "could not be parsed"},
		{"http://example.com:port/", "could not be parsed"},
		{"http://example.com/\x00", "could not be parsed"},
		{"http://example.com/" + strings.Repeat("a", MaxURLLength), "limit is 2048"},
	}
	f := New(Config{AllowPrivate: true})
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			u, err := ValidateURL(tc.in)
			if tc.contains == "" {
				if err != nil || u == nil {
					t.Fatalf("ValidateURL(%q) = %v, %v; want a URL", tc.in, u, err)
				}
				return
			}
			wantCode(t, err, domain.EInvalidURL)
			if msg := domain.ErrorMessage(err); !strings.Contains(msg, tc.contains) {
				t.Errorf("message %q does not contain %q", msg, tc.contains)
			}
			// Fetch refuses it the same way, before any connection.
			_, err = f.Fetch(context.Background(), tc.in)
			wantCode(t, err, domain.EInvalidURL)
		})
	}
}
