package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	c, err := LoadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.JobTimeout != 10*time.Minute || c.MaxCost != 600 || c.Interactive != 1 || c.Retention != 0 || c.SweepInterval != time.Minute {
		t.Errorf("defaults: %+v", c)
	}
	// A job may not run as long as asynq's own deadline for the task: asynq
	// would start it again while it still ran.
	_, err = LoadConfig(env(map[string]string{"JOB_TIMEOUT": "59m", "JOB_MAX_COST": "-1", "RETENTION": "soon"}))
	for _, name := range []string{"JOB_TIMEOUT", "JOB_MAX_COST", "RETENTION"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}
