package augment

import "math/rand/v2"

// JPEGCompression encodes the image as JPEG of Quality and decodes it
// again, mid-pipeline: its artefacts without the output's format.
type JPEGCompression struct {
	Quality IntRange `param:"quality" default:"[30, 90]" min:"1" max:"100" help:"JPEG quality"`
}

// Downscale scales the image down by Scale and back up to its size.
type Downscale struct {
	Scale Range `param:"scale" default:"[0.25, 0.75]" min:"0.05" max:"1" help:"scale range"`
}

func init() {
	register[JPEGCompression]("jpeg_compression", "blur, noise, quality", "Encodes as JPEG and decodes again, mid-pipeline.")
	register[Downscale]("downscale", "blur, noise, quality", "Scales down, then back up to the size it had.")
}

func (o JPEGCompression) plan(r *rand.Rand) []Op {
	o.Quality = o.Quality.drawn(r)
	return []Op{o}
}

func (o Downscale) plan(r *rand.Rand) []Op {
	o.Scale = o.Scale.drawn(r)
	return []Op{o}
}
