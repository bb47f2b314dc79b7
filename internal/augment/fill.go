package augment

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Fill is what a geometric op shows where it reads outside its input.
type Fill string

// Fills.
const (
	FillBlack  Fill = "black" // and transparent, with alpha
	FillWhite  Fill = "white" // opaque
	FillEdge   Fill = "edge"  // the nearest pixel of the image
	FillMirror Fill = "mirror"
)

func (Fill) names() []string {
	return []string{string(FillBlack), string(FillWhite), string(FillEdge), string(FillMirror)}
}
func (*Fill) kind() Kind { return KindEnum }
func (f *Fill) parse(raw json.RawMessage, _ *Param) error {
	return parseName(raw, (*string)(f), f.names())
}

// Ink is the colour cutout paints its holes with.
type Ink string

// Inks.
const (
	InkBlack Ink = "black"
	InkWhite Ink = "white"
	InkGray  Ink = "gray"
)

func (Ink) names() []string { return []string{string(InkBlack), string(InkWhite), string(InkGray)} }
func (*Ink) kind() Kind     { return KindEnum }
func (k *Ink) parse(raw json.RawMessage, _ *Param) error {
	return parseName(raw, (*string)(k), k.names())
}

func parseName(raw json.RawMessage, dst *string, names []string) error {
	if err := json.Unmarshal(raw, dst); err != nil || !slices.Contains(names, *dst) {
		return fmt.Errorf("must be one of %s", strings.Join(names, ", "))
	}
	return nil
}
