// Package augment is augment's pipeline language: the operations, their
// parameter schemas, validation of user pipelines, presets, and seeded
// planning that turns a pipeline into the concrete ops of one variant. It is
// pure Go; internal/imaging renders the plans.
//
// # Operations
//
// Each operation is one Go type in a file named by topic (Rotate in
// rotate.go), registered under its name. Its fields are its parameters; their
// tags give the names, defaults, bounds and descriptions that validation and
// GET /api/v1/ops read (see opType). The same value serves twice: parsed
// from a step, its parameters may be ranges or left out to be drawn; planned,
// every value is fixed, and that value is what the renderer reads and what a
// variant records. Every random choice an op makes is one of its parameters
// (rotate's degrees, a crop's x and y, perspective's points, cutout's boxes,
// noise's seed, color_jitter's factors and order), so a recorded op is a
// pipeline step with fixed values: submitted again, with any seed, it renders
// the same pixels. Positions are fractions, so a plan does not depend on the
// image size it meets.
//
// Geometric ops also say, for an input size, the maps from their output to
// their input (Geometric.Steps, in internal/geom's terms): the renderer
// samples through them and labels move through them.
//
// # Determinism
//
// Variant i of the source named key in its batch (its path in the archive, or
// its URL; "" for a job on its own) draws every value from one generator (see
// source), so a variant depends neither on how many variants were asked for
// nor on the other sources of its batch, and two sources never share their
// draws.
//
// Alpha: ops keep an alpha channel; fills outside the image are transparent
// (white fill: opaque white); encoding to JPEG flattens onto white.
package augment
