package augment

import "math/rand/v2"

// GaussianBlur blurs with a Gaussian of standard deviation Sigma pixels.
type GaussianBlur struct {
	Sigma Range `param:"sigma" default:"[0.5, 2]" min:"0.1" max:"50" help:"sigma range, pixels"`
}

// Sharpen is an unsharp mask: image + Amount · (image − blurred image), the
// blur of standard deviation Sigma.
type Sharpen struct {
	Sigma  Range `param:"sigma" default:"[0.5, 1.5]" min:"0.1" max:"20" help:"blur sigma, pixels"`
	Amount Range `param:"amount" default:"[0.5, 1.5]" min:"0" max:"10" help:"strength"`
}

func init() {
	register[GaussianBlur]("gaussian_blur", "blur, noise, quality", "Blurs with a Gaussian of the given sigma.")
	register[Sharpen]("sharpen", "blur, noise, quality", "Unsharp mask: adds amount × (image − blurred image).")
}

func (o GaussianBlur) plan(r *rand.Rand) []Op {
	o.Sigma = o.Sigma.drawn(r)
	return []Op{o}
}

func (o Sharpen) plan(r *rand.Rand) []Op {
	o.Sigma, o.Amount = o.Sigma.drawn(r), o.Amount.drawn(r)
	return []Op{o}
}
