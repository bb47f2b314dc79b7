package web

// slot is one of a job's variants on its page: the variant once made, a
// placeholder (Variant nil) until then.
type slot struct {
	Index   int
	Variant *variantJSON
}

// Slots lists the job's variants in index order with a placeholder for each
// one not made yet, so a page that fills in live keeps its layout. An ended
// job has only what it made.
func (j jobJSON) Slots() []slot {
	if j.Status.Ended() {
		out := make([]slot, len(j.Variants))
		for i := range j.Variants {
			out[i] = slot{Index: j.Variants[i].Index, Variant: &j.Variants[i]}
		}
		return out
	}
	out := make([]slot, max(j.Spec.Variants, len(j.Variants)))
	for i := range out {
		out[i].Index = i
	}
	for i, v := range j.Variants {
		if v.Index < len(out) {
			out[v.Index].Variant = &j.Variants[i]
		}
	}
	return out
}
