package labels_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
)

// TestREADMESaysWhatEveryOpDoesToLabels: the README's table of what ops do
// to labels names every op of the registry once, and nothing else.
func TestREADMESaysWhatEveryOpDoesToLabels(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "| ops | labels |")
	if !ok {
		t.Fatal("the README has no table of what ops do to labels")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	var listed []string
	for _, row := range strings.Split(table, "\n") {
		cells := strings.Split(row, "|")
		if len(cells) < 3 {
			continue
		}
		for _, m := range regexp.MustCompile("`([a-z_0-9]+)`").FindAllStringSubmatch(cells[1], -1) {
			listed = append(listed, m[1])
		}
	}
	var want []string
	for _, op := range augment.Catalogue() {
		if op.Name != "one_of" && op.Name != "some_of" {
			want = append(want, op.Name)
		}
	}
	slices.Sort(want)
	slices.Sort(listed)
	if !slices.Equal(listed, want) {
		t.Errorf("the README's labels table names %v; the registry has %v", listed, want)
	}
}
