// Command healthcheck is the containers' HEALTHCHECK: it GETs a URL (by
// default the api's /healthz) and exits 0 on a 2xx answer, 1 otherwise. It
// exists because the runtime images have no shell and no curl.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	url := "http://127.0.0.1:8000/healthz"
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		fmt.Fprintln(os.Stderr, "healthcheck:", url, "answered", resp.Status)
		os.Exit(1)
	}
}
