package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/augment-ml/augment/internal/cost"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
)

// newBatch collects a batch's jobs, giving each a stem unique in the batch.
type newBatch struct {
	batch *domain.Batch
	jobs  []*domain.Job
	stems map[string]bool
	next  map[string]int // per bare stem, the suffix to try next
	seeds map[string]int // how often each seed key came
	keys  []string       // uploaded entries, removed again if the batch fails

	archive     *os.File // the uploaded archive, read once the fields are known
	archiveSize int64
	readTime    time.Duration // reading and checking it
}

// add adds a job for src, whose variants draw from seedKey, its name in the
// batch (a name given again draws anew: its nth time, "\n<n>" is added to
// it), and gives it the first free stem of its name, name-2, name-3, ….
// NOTE: stems are never freed, so the first free suffix only grows: counting
// on from the last one given keeps a list of 100,000 "…/image.jpg" linear
// instead of trying every taken suffix again for each.
func (nb *newBatch) add(src domain.Source, seedKey string) {
	base := stemOf(src.Name)
	stem := base
	if nb.stems[stem] {
		if nb.next == nil {
			nb.next = map[string]int{}
		}
		i := max(nb.next[base], 2)
		for stem = fmt.Sprintf("%s-%d", base, i); nb.stems[stem]; stem = fmt.Sprintf("%s-%d", base, i) {
			i++
		}
		nb.next[base] = i + 1
	}
	nb.stems[stem] = true
	if nb.seeds == nil {
		nb.seeds = map[string]int{}
	}
	n := nb.seeds[seedKey] + 1
	nb.seeds[seedKey] = n
	if n > 1 {
		seedKey = fmt.Sprintf("%s\n%d", seedKey, n)
	}
	nb.jobs = append(nb.jobs, &domain.Job{ID: uuid.NewString(), Seq: len(nb.jobs), Stem: stem, Source: src, SeedKey: seedKey})
}

// readBatch reads a batch from JSON or from a form with an archive or a file
// (or text) of URLs, while the body arrives (see batch_body.go), then reads
// the archive as the fields say (see batch_dataset.go).
func (s *Server) readBatch(c *gin.Context) (*newBatch, error) {
	nb := &newBatch{batch: &domain.Batch{ID: uuid.NewString()}, stems: map[string]bool{}, seeds: map[string]int{}}
	defer nb.dropArchive()
	var (
		req batchRequest
		err error
	)
	switch c.ContentType() {
	case "application/json":
		req, err = s.readBatchJSON(http.MaxBytesReader(c.Writer, c.Request.Body, s.Limits.MaxURLs*2100+maxJSONBody), nb)
	case "multipart/form-data":
		req, err = s.readBatchForm(c, nb)
		if err == nil && !isAPI(c.Request.URL.Path) {
			err = pageChoice(&req.specRequest, presetSent(c))
		}
	default:
		return nil, domain.Errorf(domain.EInvalid, "Send the batch as application/json or multipart/form-data, not %q.", c.ContentType())
	}
	if err == nil {
		err = req.legacyFormat()
	}
	if err == nil {
		// NOTE: an archive may ask for no variants (a dataset's baseline); a
		// list of URLs makes at least one.
		nb.batch.Spec, err = req.spec(nb.archive != nil)
	}
	switch {
	case err != nil:
	case nb.archive != nil:
		err = inField("archive", s.addArchive(c.Request.Context(), nb, req.batchOptions))
	case req.datasetAsked():
		err = domain.Errorf(domain.EInvalidSpec, "format, export and label_options apply to an archive of a dataset; a list of URLs is plain images.")
	}
	if err == nil && len(nb.jobs) == 0 {
		err = inField("urls", domain.Errorf(domain.EInvalid, "The batch has no images: give urls or an archive of images."))
	}
	if err != nil {
		s.removeBlobs(nb.keys)
		return nil, err
	}
	for _, j := range nb.jobs {
		if j.Spec.Pipeline == nil {
			j.Spec = nb.batch.Spec
		}
		// Archive entries whose header told their size are costed now; the
		// worker costs the others once it has read them.
		if err := cost.Check(j.Spec, j.Source.Width, j.Source.Height, s.MaxCost); err != nil {
			s.removeBlobs(nb.keys)
			return nil, domain.Errorf(domain.ErrorCode(err), "The archive entry %q: %s", j.Source.Name, domain.ErrorMessage(err))
		}
	}
	return nb, nil
}

// addURLs adds urls to the batch; where names a URL's place in an error.
func (s *Server) addURLs(nb *newBatch, urls []string, where string) error {
	for i, raw := range urls {
		if err := s.addURL(nb, raw, fmt.Sprintf("%s%d]", where, i+1)); err != nil {
			return err
		}
	}
	return nil
}

// addURL adds one URL to the batch, refusing it past BATCH_MAX_URLS.
func (s *Server) addURL(nb *newBatch, raw, where string) error {
	if int64(len(nb.jobs)) >= s.Limits.MaxURLs {
		return domain.Errorf(domain.ETooLarge, "The batch has more than %d URLs; the limit is %d.", s.Limits.MaxURLs, s.Limits.MaxURLs)
	}
	u, err := fetch.ValidateURL(raw)
	if err != nil {
		return domain.Errorf(domain.EInvalidURL, "%s: %s", where, domain.ErrorMessage(err))
	}
	name, _ := url.PathUnescape(path.Base(u.Path))
	nb.add(domain.Source{URL: raw, Name: fetch.SafeName(name)}, raw)
	return nil
}

// submitBatch records the batch and queues every job. If queueing fails the
// batch is removed, so a batch is never half-submitted.
func (s *Server) submitBatch(ctx context.Context, nb *newBatch) error {
	start := time.Now()
	if err := s.Batches.CreateBatch(ctx, nb.batch, nb.jobs); err != nil {
		s.removeBlobs(nb.keys)
		return domain.Wrap(err, domain.EUnavailable, "The batch could not be recorded; try again shortly.")
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, j := range nb.jobs {
		if j.Status == domain.StatusQueued { // a dataset's image copied through is done already
			g.Go(func() error { return s.Queue.Enqueue(gctx, j) })
		}
	}
	if err := g.Wait(); err != nil {
		// NOTE: tasks queued before the failure find no job and are dropped by the worker.
		if derr := s.Batches.DeleteBatch(context.WithoutCancel(ctx), nb.batch.ID); derr != nil {
			s.Log.Error("removing a half-queued batch", "batch_id", nb.batch.ID, "err", derr)
		}
		s.removeBlobs(nb.keys)
		return err
	}
	s.Log.Info("batch queued", "batch_id", nb.batch.ID, "jobs", len(nb.jobs), "ms", time.Since(start).Milliseconds())
	return nil
}

func (s *Server) removeBlobs(keys []string) {
	for _, k := range keys {
		_ = s.Blobs.Delete(context.Background(), k)
	}
}

func (s *Server) createBatch(c *gin.Context) {
	nb, err := s.readBatch(c)
	if err == nil {
		err = s.submitBatch(c.Request.Context(), nb)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/batches/"+nb.batch.ID)
	c.JSON(http.StatusAccepted, batchDetail(nb.batch))
}

func (s *Server) getBatch(c *gin.Context) {
	b, err := s.Batches.Batch(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, batchDetail(b))
}

func (s *Server) listBatches(c *gin.Context) {
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "50"))
	if err != nil || limit < 1 || limit > 500 {
		s.fail(c, domain.Errorf(domain.EInvalid, "limit must be a whole number from 1 to 500."))
		return
	}
	bs, err := s.Batches.Batches(c.Request.Context(), limit, c.Query("before"))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]batchJSON, len(bs))
	for i, b := range bs {
		out[i] = batchView(b)
	}
	c.JSON(http.StatusOK, gin.H{"batches": out})
}

func (s *Server) batchJobs(c *gin.Context) {
	b, err := s.Batches.Batch(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "100"))
	if err != nil || limit < 1 || limit > 1000 {
		s.fail(c, domain.Errorf(domain.EInvalid, "limit must be a whole number from 1 to 1000."))
		return
	}
	status := domain.Status(c.Query("status"))
	switch status {
	case "", domain.StatusQueued, domain.StatusProcessing, domain.StatusDone, domain.StatusFailed:
	default:
		s.fail(c, domain.Errorf(domain.EInvalid, "status must be queued, processing, done or failed, not %q.", status))
		return
	}
	jobs, err := s.Jobs.Jobs(c.Request.Context(), domain.JobFilter{
		BatchID: b.ID, Status: status, Limit: limit, After: c.Query("after"), Variants: true,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]jobJSON, len(jobs))
	for i, j := range jobs {
		out[i] = jobView(j)
	}
	c.JSON(http.StatusOK, gin.H{"jobs": out})
}

// safePath makes each folder of an archive entry's path safe as a name, so
// a source keeps the folders it came from (a class folder is a label).
func safePath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		parts[i] = fetch.SafeName(part)
	}
	return strings.Join(parts, "/")
}

// stemOf turns a source name into a safe folder name for the archive. The
// folders of an archive entry are kept: a/rocket.jpg and b/rocket.jpg are
// a/rocket and b/rocket.
func stemOf(name string) string {
	dirs := strings.Split(name, "/")
	for i, d := range dirs[:len(dirs)-1] {
		dirs[i] = safeStem(d, "folder")
	}
	dirs[len(dirs)-1] = safeStem(strings.TrimSuffix(dirs[len(dirs)-1], path.Ext(dirs[len(dirs)-1])), "image")
	return strings.Join(dirs, "/")
}

// safeStem keeps letters, digits, '-', '_' and '.' of an ASCII name, at most
// 80 of them, replacing the rest with '_'; an empty result becomes empty.
func safeStem(name, empty string) string {
	var b strings.Builder
	for _, r := range name {
		if b.Len() >= 80 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	stem := strings.Trim(b.String(), ".")
	if stem == "" {
		return empty
	}
	return stem
}
