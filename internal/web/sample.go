package web

// sampleName is what the bundled photo is called in its job: a cardinal on
// a branch, from the test corpus (bimg's test data, MIT), 800×450.
const sampleName = "cardinal.jpg"

// sampleImage is the bundled photo that the "try it" button augments, so a
// first job needs no network and no file of one's own.
func sampleImage() []byte { return staticFiles["sample.jpg"].data }
