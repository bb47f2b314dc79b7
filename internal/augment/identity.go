package augment

import "math/rand/v2"

// Identity leaves the image as it is: the "nothing" choice of a one_of. It
// plans to no op at all.
type Identity struct{}

func init() {
	register[Identity]("identity", "composition", "Leaves the image as it is (a choice of nothing in one_of).")
}

func (Identity) plan(*rand.Rand) []Op { return nil }
