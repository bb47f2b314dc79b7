package imaging

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestASanRunsThePasses: `make asan` runs exactly the tests named
// TestPasses…, those that drive the C passes hardest (every op of the
// registry rendered and replayed, extremes, fills, composition, AVX2 against
// plain), so a test joins the AddressSanitizer run by its name.
func TestASanRunsThePasses(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\t.* -asan -run '([^']+)' \./internal/imaging$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("the Makefile's asan target does not run ./internal/imaging with a -run pattern")
	}
	run := regexp.MustCompile(string(m[1]))
	files, _ := filepath.Glob("*_test.go")
	passes := 0
	for _, f := range files {
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range parsed.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") {
				continue
			}
			name := fn.Name.Name
			named := strings.HasPrefix(name, "TestPasses")
			if named {
				passes++
			}
			if run.MatchString(name) != named {
				t.Errorf("%s: named for the ASan run %v, run by `make asan` %v", name, named, run.MatchString(name))
			}
		}
	}
	if passes == 0 {
		t.Error("no test is named TestPasses…: `make asan` runs nothing")
	}
}
