package web

import (
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestSeedKeys: each source of a batch draws from its name in the batch, in
// its archive path (dataset.Entry.Path, one spelling), and a name given twice draws anew.
func TestSeedKeys(t *testing.T) {
	nb := &newBatch{batch: &domain.Batch{}, stems: map[string]bool{}, seeds: map[string]int{}}
	for _, k := range []string{"http://x.test/a.jpg", "http://x.test/a.jpg", "train/a.jpg", "train/b.jpg", "http://x.test/a.jpg"} {
		nb.add(domain.Source{Name: "a.jpg"}, k)
	}
	want := []string{"http://x.test/a.jpg", "http://x.test/a.jpg\n2", "train/a.jpg", "train/b.jpg", "http://x.test/a.jpg\n3"}
	for i, j := range nb.jobs {
		if j.SeedKey != want[i] {
			t.Errorf("source %d: seed key %q, want %q", i, j.SeedKey, want[i])
		}
	}
}
