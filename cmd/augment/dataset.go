package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
)

// pollEvery is how often the batch is read while it runs.
const pollEvery = 500 * time.Millisecond

func runDataset(ctx context.Context, o *datasetOptions, stdout, stderr io.Writer) error {
	if fi, err := os.Stat(o.Dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", o.Dir)
	}
	if entries, err := os.ReadDir(o.Out); err == nil && len(entries) > 0 {
		return fmt.Errorf("--out %s exists and is not empty; choose a new folder", o.Out)
	}
	c := &client{url: o.URL, token: o.Token, http: &http.Client{}}
	fmt.Fprintf(stderr, "sending %s to %s\n", o.Dir, o.URL)
	b, err := c.submit(ctx, o)
	if err != nil {
		return err
	}
	if b.Format != "" {
		fmt.Fprintf(stderr, "%s\n", b.summary())
	}
	for _, s := range b.Skipped {
		fmt.Fprintf(stderr, "skipped %s: %s\n", s.Name, s.Reason)
	}
	for _, w := range b.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w.Message)
	}
	if more := b.WarningsTotal - len(b.Warnings); more > 0 {
		fmt.Fprintf(stderr, "… and %d more warnings (all in report.json)\n", more)
	}
	if b, err = c.wait(ctx, b, stderr); err != nil {
		return err
	}
	n, failures, err := c.download(ctx, b, o.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d files in %s\n", n, o.Out)
	if b.Counts.Failed > 0 {
		for _, f := range failures {
			fmt.Fprintf(stderr, "failed: %s: %s (%s)\n", f.Source, f.Message, f.Code)
		}
		return fmt.Errorf("%d of %d images failed (listed in %s)", b.Counts.Failed, b.Total, filepath.Join(o.Out, "failures.jsonl"))
	}
	return nil
}

// submit streams the folder as a zip inside the multipart body, so that no
// copy of the dataset is made on disk or in memory.
func (c *client) submit(ctx context.Context, o *datasetOptions) (*batch, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for _, f := range o.Fields {
				if err := mw.WriteField(f[0], f[1]); err != nil {
					return err
				}
			}
			part, err := mw.CreateFormFile("archive", filepath.Base(filepath.Clean(o.Dir))+".zip")
			if err != nil {
				return err
			}
			if err := zipDir(ctx, o.Dir, part); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/api/v1/batches", pr)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.do(req)
	pr.CloseWithError(io.ErrClosedPipe) // stops the zip when the service answered early
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var b batch
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || b.ID == "" {
		return nil, fmt.Errorf("the service's answer to the batch is not a batch: %v", err)
	}
	return &b, nil
}

// wait polls the batch until it is done, drawing its progress.
func (c *client) wait(ctx context.Context, b *batch, stderr io.Writer) (*batch, error) {
	bar := progressbar.NewOptions(b.Total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("augmenting"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
	)
	id := b.ID
	for {
		_ = bar.Set(b.Counts.Done + b.Counts.Failed)
		if b.Status == "done" {
			_ = bar.Finish()
			return b, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stopped; the batch %s goes on at %s/batches/%s", id, c.url, id)
		case <-time.After(pollEvery):
		}
		next, err := c.getBatch(ctx, id)
		if err != nil {
			return nil, err
		}
		b = next
	}
}
