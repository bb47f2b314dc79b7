package web

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/dataset"
)

// TestREADMEDatasetTables: the README's Datasets section lists every
// dataset format the reader knows, and every batch option the api reads,
// and nothing else.
func TestREADMEDatasetTables(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section, _, _ := strings.Cut(string(readme)[strings.Index(string(readme), "## Datasets\n"):], "\n## ")
	first := regexp.MustCompile("(?m)^\\| `([a-z_]+)`(?:, `([a-z_]+)`)? \\|")
	var tables [][]string
	for _, table := range strings.Split(section, "\n\n") {
		var names []string
		for _, m := range first.FindAllStringSubmatch(table, -1) {
			names = append(names, m[1])
			if m[2] != "" {
				names = append(names, m[2])
			}
		}
		if names != nil {
			tables = append(tables, names)
		}
	}
	if len(tables) != 2 {
		t.Fatalf("the Datasets section has %d tables of names, want the formats and the options", len(tables))
	}
	var formats []string
	for _, f := range dataset.Formats {
		formats = append(formats, string(f))
	}
	options := []string{"variants", "quality"}
	typ := reflect.TypeFor[batchOptions]()
	for i := range typ.NumField() {
		options = append(options, typ.Field(i).Tag.Get("json"))
	}
	for i, want := range [][]string{formats, options} {
		got := tables[i]
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("README lists %v; the code has %v", got, want)
		}
	}
}
