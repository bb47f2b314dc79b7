// Command augment is the command-line client of an augment service. Today
// it has one command:
//
//	augment dataset ./my-dataset --variants 3 --preset default --out ./my-dataset-aug
//
// which streams the folder as a zip to POST /api/v1/batches, shows a
// progress bar while the batch runs, downloads the result and unpacks it
// into --out. The service's address and token come from --url and --token,
// or AUGMENT_URL and AUGMENT_TOKEN. It is pure Go: no cgo, no libvips.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

const usage = `usage: augment dataset FOLDER --out FOLDER [flags]

Augments a dataset folder on an augment service and unpacks the result.

flags:
  --out DIR              where the result is unpacked (new or empty)
  --variants N           variants per image (0: the baseline, the dataset as it is, checked)
  --preset NAME          a named pipeline (default, classic, geometric, …)
  --pipeline FILE|JSON   a pipeline: a JSON file, or JSON text
  --seed S               the seed (the same seed gives the same dataset)
  --format F             the dataset's format (coco, yolo, voc, masks, imagefolder, images); detected when left out
  --output-format F      the variants' image format (jpeg, png, webp); like each source when left out
  --export F             write the result as coco, yolo or voc
  --allow-lossy          accept an export that loses labels
  --include-originals    copy the sources into the result (true or false)
  --augment-splits S     the splits to augment, comma-separated (train)
  --url URL              the service (AUGMENT_URL, else http://127.0.0.1:8000)
  --token T              its API token (AUGMENT_TOKEN)
`

// Main runs the command and returns its exit status: 0 done, 1 failed,
// 2 a usage error. Messages go to stderr; what the user asked for to stdout.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] != "dataset" {
		fmt.Fprintf(stderr, "augment: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	opt, err := parseDataset(args[1:], getenv)
	if err != nil {
		fmt.Fprintf(stderr, "augment: %v\n\n%s", err, usage)
		return 2
	}
	if err := runDataset(ctx, opt, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "augment: %v\n", err)
		return 1
	}
	return 0
}
