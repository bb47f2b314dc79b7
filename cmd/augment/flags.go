package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// datasetOptions are the flags of augment dataset.
type datasetOptions struct {
	Dir, Out   string
	URL, Token string
	// Fields are the spec's form fields, named like the JSON of the API,
	// for the flags the user gave: the service's defaults hold for the rest.
	Fields [][2]string
}

func parseDataset(args []string, getenv func(string) string) (*datasetOptions, error) {
	fs := flag.NewFlagSet("augment dataset", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &datasetOptions{}
	fs.StringVar(&o.Out, "out", "", "")
	fs.StringVar(&o.URL, "url", getenv("AUGMENT_URL"), "")
	fs.StringVar(&o.Token, "token", getenv("AUGMENT_TOKEN"), "")
	variants := fs.Int("variants", 0, "")
	preset := fs.String("preset", "", "")
	pipeline := fs.String("pipeline", "", "")
	seed := fs.Int64("seed", 0, "")
	format := fs.String("format", "", "")
	outputFormat := fs.String("output-format", "", "")
	export := fs.String("export", "", "")
	lossy := fs.Bool("allow-lossy", false, "")
	originals := fs.Bool("include-originals", true, "")
	splits := fs.String("augment-splits", "", "")
	// Flags may come before or after the folder.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 1 {
		return nil, errors.New("give one dataset folder")
	}
	o.Dir = pos[0]
	if o.Out == "" {
		return nil, errors.New("--out is required: the folder the result is unpacked into")
	}
	if o.URL == "" {
		o.URL = "http://127.0.0.1:8000"
	}
	o.URL = strings.TrimRight(o.URL, "/")
	var err error
	fs.Visit(func(f *flag.Flag) {
		var v string
		switch f.Name {
		case "variants":
			v = strconv.Itoa(*variants)
		case "preset":
			v = *preset
		case "pipeline":
			v, err = pipelineText(*pipeline)
		case "seed":
			v = strconv.FormatInt(*seed, 10)
		case "format":
			v = *format
		case "output-format":
			v = *outputFormat
		case "export":
			v = *export
		case "allow-lossy":
			v = strconv.FormatBool(*lossy)
		case "include-originals":
			v = strconv.FormatBool(*originals)
		case "augment-splits":
			v = *splits
		default:
			return
		}
		o.Fields = append(o.Fields, [2]string{strings.ReplaceAll(f.Name, "-", "_"), v})
	})
	return o, err
}

// pipelineText is a pipeline given as JSON text, or the text of its file.
func pipelineText(v string) (string, error) {
	if t := strings.TrimSpace(v); strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") {
		return t, nil
	}
	b, err := os.ReadFile(v)
	if err != nil {
		return "", fmt.Errorf("--pipeline %s: %w", v, err)
	}
	return string(b), nil
}
