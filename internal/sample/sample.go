// Package sample holds the bundled photo: the home page's "try it" button
// augments it, and the worker renders the operations reference's examples
// from it, so neither needs the network or a file of one's own.
package sample

import _ "embed"

// Name is what the photo is called in its job: a cardinal on a branch, from
// the test corpus (bimg's test data, MIT), 800×450.
const Name = "cardinal.jpg"

// Image is the photo's JPEG bytes.
//
//go:embed cardinal.jpg
var Image []byte
