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
