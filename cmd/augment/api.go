package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// client talks to the service's JSON API.
type client struct {
	url, token string
	http       *http.Client
}

// batch is the API's batch, as far as the command reads it.
type batch struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Total  int    `json:"total"`
	Counts struct {
		Queued     int `json:"queued"`
		Processing int `json:"processing"`
		Done       int `json:"done"`
		Failed     int `json:"failed"`
	} `json:"counts"`
	Skipped []struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	} `json:"skipped"`
	Warnings []struct {
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"warnings"`
	WarningsTotal int            `json:"warnings_total"`
	Format        string         `json:"format"`
	Splits        map[string]int `json:"splits"`
	Classes       map[string]int `json:"classes"`
	ArchiveHref   string         `json:"archive_href"`
}

// summary says what the service found in the dataset: its format, images
// per split and number of classes.
func (b *batch) summary() string {
	splits := make([]string, 0, len(b.Splits))
	for name, n := range b.Splits {
		splits = append(splits, fmt.Sprintf("%s %d", name, n))
	}
	sort.Strings(splits)
	return fmt.Sprintf("%s dataset: %d images (%s), %d classes", b.Format, b.Total, strings.Join(splits, ", "), len(b.Classes))
}

func (c *client) do(req *http.Request) (*http.Response, error) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the service at %s does not answer: %w", c.url, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, apiError(resp)
	}
	return resp, nil
}

// apiError is the service's own sentence for a refusal.
func apiError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		return fmt.Errorf("%s (%s, HTTP %d)", e.Error.Message, e.Error.Code, resp.StatusCode)
	}
	return fmt.Errorf("%s %s answered HTTP %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode,
		strings.TrimSpace(string(body[:min(len(body), 200)])))
}

// getBatch reads a batch, waiting at most 30 seconds for the answer.
func (c *client) getBatch(ctx context.Context, id string) (*batch, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/api/v1/batches/"+id, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var b batch
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		return nil, fmt.Errorf("the batch %s could not be read: %w", id, err)
	}
	return &b, nil
}
