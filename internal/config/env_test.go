package config

import (
	"strings"
	"testing"
	"time"
)

func TestEnv(t *testing.T) {
	vars := map[string]string{"N": "12", "BAD_N": "twelve", "B": "true", "BAD_B": "yes please", "D": "5s", "BAD_D": "-1s"}
	e := New(func(k string) string { return vars[k] })
	if got := e.Int("N", 1, 1); got != 12 {
		t.Errorf("Int = %d", got)
	}
	if got := e.Int("UNSET", 7, 1); got != 7 {
		t.Errorf("Int default = %d", got)
	}
	if got := e.Bool("B", false); !got {
		t.Error("Bool = false")
	}
	if got := e.Duration("D", time.Second); got != 5*time.Second {
		t.Errorf("Duration = %v", got)
	}
	if e.Err() != nil {
		t.Fatalf("unexpected error: %v", e.Err())
	}
	e.Int("BAD_N", 1, 1)
	e.Bool("BAD_B", false)
	e.Duration("BAD_D", time.Second)
	msg := e.Err().Error()
	for _, name := range []string{"BAD_N", "BAD_B", "BAD_D"} {
		if !strings.Contains(msg, name) {
			t.Errorf("error %q does not name %s", msg, name)
		}
	}
}

func TestPrefixes(t *testing.T) {
	vars := map[string]string{"P": " 10.0.0.0/8, 192.168.1.7,::1 ", "NONE": "none", "BAD_P": "10.0.0.0/8,proxy.lan"}
	e := New(func(k string) string { return vars[k] })
	got := e.Prefixes("P", "")
	if len(got) != 3 || got[0].String() != "10.0.0.0/8" || got[1].String() != "192.168.1.7/32" || got[2].String() != "::1/128" {
		t.Errorf("Prefixes = %v", got)
	}
	if got := e.Prefixes("NONE", "127.0.0.1"); len(got) != 0 {
		t.Errorf("none = %v", got)
	}
	if got := e.Prefixes("UNSET", "127.0.0.1"); len(got) != 1 || got[0].String() != "127.0.0.1/32" {
		t.Errorf("default = %v", got)
	}
	if e.Err() != nil {
		t.Fatalf("unexpected error: %v", e.Err())
	}
	e.Prefixes("BAD_P", "")
	if err := e.Err(); err == nil || !strings.Contains(err.Error(), "BAD_P") || !strings.Contains(err.Error(), "proxy.lan") {
		t.Errorf("error = %v, want one naming BAD_P and proxy.lan", err)
	}
}
