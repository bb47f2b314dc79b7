package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestStemsAreUniqueAndStable: every job of a batch gets its own stem, the
// first of each name keeps it bare, repeats count up from -2 past names that
// were taken literally, and the same list gives the same stems.
func TestStemsAreUniqueAndStable(t *testing.T) {
	names := []string{"cat.jpg", "cat.png", "cat-3.jpg", "cat.jpg", "dog.jpg", "cat.jpg", "cat-2.jpg", "dog.jpg"}
	stems := func() []string {
		nb := &newBatch{batch: &domain.Batch{}, stems: map[string]bool{}, seeds: map[string]int{}}
		for _, n := range names {
			nb.add(domain.Source{Name: n}, n)
		}
		out := make([]string, len(nb.jobs))
		for i, j := range nb.jobs {
			out[i] = j.Stem
		}
		return out
	}
	got := stems()
	want := []string{"cat", "cat-2", "cat-3", "cat-4", "dog", "cat-5", "cat-2-2", "dog-2"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("stems = %v, want %v", got, want)
	}
	if again := stems(); strings.Join(again, " ") != strings.Join(got, " ") {
		t.Fatalf("stems changed between runs: %v, then %v", got, again)
	}
}

// BenchmarkBatchURLs reads 100,000 URLs into a batch: all ending in the same
// file name (CDN lists: …/image.jpg) and all distinct.
func BenchmarkBatchURLs(b *testing.B) {
	const n = 100_000
	for _, tc := range []struct {
		name string
		url  func(i int) string
	}{
		{"same-name", func(i int) string { return fmt.Sprintf("https://cdn.example.com/%d/image.jpg", i) }},
		{"distinct", func(i int) string { return fmt.Sprintf("https://cdn.example.com/img-%d.jpg", i) }},
	} {
		urls := make([]string, n)
		for i := range urls {
			urls[i] = tc.url(i)
		}
		b.Run(fmt.Sprintf("%s-%d", tc.name, n), func(b *testing.B) {
			s := &Server{Limits: Limits{MaxURLs: n}}
			for b.Loop() {
				nb := &newBatch{batch: &domain.Batch{}, stems: map[string]bool{}, seeds: map[string]int{}}
				if err := s.addURLs(nb, urls, "urls["); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
		})
	}
}
