package e2e

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/augment-ml/augment/internal/testenv"
)

// BenchmarkVersusOriginal races GET /?url= on augment (the classic preset,
// 1 and 4 variants, request to finished page) against a replica of the app
// augment replaces (bench/original_app.py: Flask and Pillow, one random flip
// or rotation, the JPEG), on cardinal.jpg and large.jpg, with 1 and 4
// clients at once. Each op is one round in which every contender, in turn,
// answers one request from each client; it reports each contender's p50 and
// p90 in ms over all rounds. Augment is also timed to its page with the
// images on it (augment1_shown, augment4_shown: the page's <img> fetched
// after it, six at a time, as a browser does), the replica's answer being
// its image.
func BenchmarkVersusOriginal(b *testing.B) {
	s := startStack(b)
	original := startOriginal(b)
	srv := images(b)
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 8},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for _, img := range []string{"cardinal.jpg", "large.jpg"} {
		src := url.QueryEscape(srv.URL + "/" + img)
		contenders := []struct {
			name, url string
			shown     bool
		}{
			{"original", original + "/?url=" + src, false},
			{"augment1", s.URL + "/?preset=classic&n=1&url=" + src, false},
			{"augment4", s.URL + "/?preset=classic&n=4&url=" + src, false},
			{"augment1_shown", s.URL + "/?preset=classic&n=1&url=" + src, true},
			{"augment4_shown", s.URL + "/?preset=classic&n=4&url=" + src, true},
		}
		for _, clients := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/c%d", strings.TrimSuffix(img, ".jpg"), clients), func(b *testing.B) {
				for _, c := range contenders {
					round(b, client, c.url, clients, c.shown) // warm up: connections, caches, the replica's imports
				}
				times := make([][]time.Duration, len(contenders))
				b.ResetTimer()
				for n := range b.N {
					for k := range contenders {
						k = (k + n) % len(contenders) // NOTE: a different one goes first each round
						times[k] = append(times[k], round(b, client, contenders[k].url, clients, contenders[k].shown)...)
					}
				}
				b.StopTimer()
				for k, c := range contenders {
					b.ReportMetric(percentile(times[k], 50), c.name+"_p50_ms")
					b.ReportMetric(percentile(times[k], 90), c.name+"_p90_ms")
				}
			})
		}
	}
}

// round sends one GET from each of clients at once and returns their
// times; with images, each to the answer and the images it shows.
func round(b *testing.B, client *http.Client, u string, clients int, images bool) []time.Duration {
	out := make([]time.Duration, clients)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			start := time.Now()
			body, err := get(client, u)
			if err == nil && images {
				err = getImages(u, body)
			}
			out[i] = time.Since(start)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return out
}

func get(client *http.Client, u string) ([]byte, error) {
	resp, err := client.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, err
}

var imgSrc = regexp.MustCompile(`<img src="([^"]+)"`)

// getImages GETs the images page (at u) shows, six at a time, following
// redirects as a browser does.
func getImages(u string, page []byte) error {
	base, _ := url.Parse(u)
	g := errgroup.Group{}
	g.SetLimit(6)
	for _, m := range imgSrc.FindAllSubmatch(page, -1) {
		ref, err := url.Parse(html.UnescapeString(string(m[1])))
		if err != nil {
			return err
		}
		g.Go(func() error {
			_, err := get(browserClient, base.ResolveReference(ref).String())
			return err
		})
	}
	return g.Wait()
}

// browserClient follows redirects (a thumbnail not made in time sends to
// its full image).
var browserClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}

// percentile returns the p-th percentile of ts in ms (nearest rank).
func percentile(ts []time.Duration, p int) float64 {
	s := slices.Clone(ts)
	slices.Sort(s)
	i := max((len(s)*p+99)/100-1, 0)
	return float64(s[i].Microseconds()) / 1000
}

// startOriginal runs bench/original_app.py on a free port and returns its
// address. Flask and Pillow come from Debian (scripts/services.sh bench
// installs them); without them the benchmark fails.
func startOriginal(b *testing.B) string {
	port := freePort(b)
	cmd := exec.Command("/usr/bin/python3", "../bench/original_app.py", strconv.Itoa(port))
	logs := &logBuf{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		b.Fatalf("starting the original app (scripts/services.sh bench installs python3-flask and python3-pil): %v", err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(addr + "/"); err == nil {
			resp.Body.Close()
			return addr
		}
	}
	b.Fatalf("the original app never answered (scripts/services.sh bench installs python3-flask and python3-pil):\n%s", logs.String())
	return ""
}

// BenchmarkIdle measures what an idle worker costs at rest: Redis commands
// a second (all of Redis, which nothing else uses meanwhile) and the
// worker's CPU, with its servers alone (no interactive slots) and with the
// default (one interactive slot, blocked on its wake-up list). Each op is
// one second at rest.
func BenchmarkIdle(b *testing.B) {
	for _, c := range []struct{ name, env string }{{"no-slots", "INTERACTIVE_CONCURRENCY=0"}, {"default", ""}} {
		b.Run(c.name, func(b *testing.B) {
			s := startStack(b, c.env)
			rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr()})
			defer rdb.Close()
			time.Sleep(2 * time.Second) // the worker settles
			cmds0, cpu0 := redisCommands(b, rdb), s.workerCPU()
			b.ResetTimer()
			time.Sleep(time.Duration(b.N) * time.Second)
			b.StopTimer()
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(redisCommands(b, rdb)-cmds0)/secs, "redis_cmds/s")
			b.ReportMetric((s.workerCPU()-cpu0).Seconds()/secs*100, "worker_cpu_%")
		})
	}
}

// redisCommands reads how many commands Redis has processed so far.
func redisCommands(b *testing.B, rdb *redis.Client) int64 {
	info, err := rdb.Info(context.Background(), "stats").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "total_commands_processed:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("Redis INFO has no total_commands_processed")
	return 0
}

// workerCPU reads the CPU time the worker has used (user and system).
func (s *stack) workerCPU() time.Duration {
	s.mu.Lock()
	pid := s.worker.Process.Pid
	s.mu.Unlock()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		s.t.Fatal(err)
	}
	// NOTE: fields after the command name, which may hold spaces; utime and stime are the 14th and 15th.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // clock ticks, 100 a second on Linux
}
