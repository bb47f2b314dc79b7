package augment

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMEListsTheRegistry: the README's table of operations names every
// registered op under its group, and nothing else.
func TestREADMEListsTheRegistry(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for name, op := range registry {
		want[op.group] = append(want[op.group], name)
	}
	want["composition"] = append(want["composition"], "one_of", "some_of")
	row := regexp.MustCompile("(?m)^\\| ([a-z, ]+) \\| (`.*) \\|$")
	inParens := regexp.MustCompile(`\([^)]*\)`)
	quoted := regexp.MustCompile("`([a-z_0-9]+)`")
	got := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		for _, q := range quoted.FindAllStringSubmatch(inParens.ReplaceAllString(m[2], ""), -1) {
			if q[1] != "p" { // the per-step probability
				got[m[1]] = append(got[m[1]], q[1])
			}
		}
	}
	for group, names := range want {
		slices.Sort(names)
		listed := got[group]
		slices.Sort(listed)
		if !slices.Equal(names, listed) {
			t.Errorf("README, group %q: lists %s; the registry has %s", group, strings.Join(listed, ", "), strings.Join(names, ", "))
		}
		delete(got, group)
	}
	for group, names := range got {
		t.Errorf("README lists a group %q (%s) the registry does not have", group, strings.Join(names, ", "))
	}
}
