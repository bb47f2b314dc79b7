package augment

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
)

// source is the generator variant index of a source draws from: PCG seeded
// by (seed, index) for a job on its own (key ""), as it always was, and for
// a source of a batch with a stable 64-bit hash of its name in the batch
// (its path in the archive, or its URL) mixed into the seed. So variant i of
// two images of a batch draw independently, and the same batch and seed give
// the same dataset again, on any machine: the hash is the first 8 bytes of
// SHA-256, never a per-process hash.
func source(seed int64, key string, index int) *rand.PCG {
	s := uint64(seed)
	if key != "" {
		sum := sha256.Sum256([]byte(key))
		s ^= binary.LittleEndian.Uint64(sum[:8])
	}
	return rand.NewPCG(s, uint64(index))
}
