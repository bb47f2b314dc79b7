// Package augment is augment's pipeline language: the operation registry and
// its parameter schemas, validation of user pipelines, presets, and seeded
// planning that turns a pipeline into the concrete []Op of one variant. It is
// pure Go; internal/imaging renders the plans.
//
// Determinism: variant i of a job draws every value from
// rand.New(rand.NewPCG(uint64(seed), uint64(i))), so a variant does not depend
// on how many variants were asked for.
//
// # Concrete ops
//
// Planning resolves every range, probability, one_of/some_of and randaugment
// into a flat list of Ops whose args are concrete. This table is the contract
// between the planner and the renderer; positions are fractions so a plan does
// not depend on the image size it meets.
//
//	hflip, vflip, grayscale, invert, equalize, autocontrast   (no args; identity plans to no op at all)
//	rot90               k: 1|2|3 quarter turns counter-clockwise (as numpy.rot90)
//	rotate              angle: degrees, counter-clockwise; fill: black|white|edge|mirror; expand: bool
//	affine              angle, shear: degrees; scale: factor; translate: [fx, fy] fractions of width/height; fill
//	perspective         points: [[dx, dy] × 4] corner displacements (tl, tr, br, bl) as fractions of width/height; fill
//	random_resized_crop size: [w, h]; scale: area fraction; ratio: aspect w/h; x, y: 0–1 position of the crop in the free room
//	random_crop         size: [w, h]; x, y: 0–1 position in the free room (a source smaller than size is scaled up to cover first)
//	center_crop         size: [w, h] (same rule for a smaller source)
//	resize              size: [w, h]  or  longest: px
//	zoom                scale: ≥ 1 (magnify about the centre, keeping the input size)
//	brightness          factor (multiplies every channel)
//	contrast            factor (about the mean luminance, as torchvision)
//	saturation          factor (blend with grayscale, as torchvision)
//	hue                 shift: turns, −0.5–0.5 (a rotation of the chroma plane of YIQ; 1/3 takes red to green)
//	color_jitter        brightness, contrast, saturation: factors; hue: turns; order: names of the four in the order applied
//	                    (composed into one colour matrix and clipped once, at the end)
//	gamma               gamma (> 1 brightens mid-tones: out = in^(1/gamma))
//	channel_shuffle     order: permutation of [0, 1, 2]
//	solarize            threshold: 0–255 (pixels ≥ threshold are inverted)
//	posterize           bits: 1–8
//	gaussian_blur       sigma
//	sharpen             sigma, amount
//	gaussian_noise      std: fraction of 255; seed: integer for the noise field
//	jpeg_compression    quality: 1–100 (encode and decode mid-pipeline)
//	downscale           scale: 0–1 (down by scale, then back up to the input size)
//	cutout              boxes: [[x, y, size] …]: x, y: 0–1 position of the box in the free room, size: side as a fraction of the shorter side; fill: black|white|gray
//
// Alpha: ops keep an alpha channel; fills outside the image are transparent
// (white fill: opaque white); encoding to JPEG flattens onto white.
package augment
