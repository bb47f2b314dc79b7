# augment — run `make run` to serve on :8000, `make test` to test.
GO ?= go
BIN := bin

.PHONY: run test build bench soak lint asan fuzz lighthouse

build:
	./scripts/services.sh
	$(GO) build -o $(BIN)/api ./cmd/api
	$(GO) build -o $(BIN)/worker ./cmd/worker

## run: api and worker on :8000, data under ./data (Ctrl-C stops both)
run: build
	./scripts/run.sh

## test: every test, on the real Redis, PostgreSQL, libvips and Chromium
test:
	./scripts/services.sh test
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...
	$(MAKE) asan fuzz

## asan: the imaging tests that drive the C passes (named TestPasses…), under AddressSanitizer
asan:
	ASAN_OPTIONS=detect_leaks=0 $(GO) test -count=1 -asan -run '^TestPasses' ./internal/imaging

## fuzz: the pipeline parser and validator, for a bounded time
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 20s ./internal/augment

lint:
	gofmt -l . | (! grep .)
	$(GO) vet ./...
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0 run ./...

## bench: libvips floor vs presets (Go benchmarks), labels and masks beside
## the render (in process, in the handler), then the running service at
## worker concurrency 1 and 2 (and with labels and a mask), a 10,000-URL
## batch and 100,000 URLs of one name, a COCO dataset of 1,000 and 5,000
## images to its 202, the worker's peak RSS on a 49 MP source, the ?url= page against the
## original app (Flask + Pillow), an idle worker's cost at rest, the explorer's
## previews (8 tiles, p50/p90; a job's with and without a mask), then the pages' Lighthouse scores
bench:
	./scripts/services.sh bench
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/imaging
	$(GO) test -run '^$$' -bench . -benchtime 20x ./internal/labels
	$(GO) test -run '^$$' -bench HandlerLabels -benchtime 8x ./internal/worker
	$(GO) test -run '^$$' -bench BatchURLs ./internal/web
	$(GO) test -run '^$$' -bench 'Worker|SubmitBatch10k|Labels' -benchtime 5x -timeout 60m ./e2e
	$(GO) test -run '^$$' -bench 'SubmitCOCO' -benchtime 1x -timeout 30m ./e2e
	$(GO) test -run '^$$' -bench BigSource -benchtime 1x -timeout 30m ./e2e
	$(GO) test -run '^$$' -bench 'VersusOriginal' -benchtime 30x -timeout 60m ./e2e
	$(GO) test -run '^$$' -bench 'Idle' -benchtime 10x ./e2e
	$(GO) test -run '^$$' -bench 'Preview' -benchtime 40x ./e2e
	$(MAKE) lighthouse

## lighthouse: Lighthouse scores (mobile) of the home, job, batch, results and compare pages
lighthouse:
	$(GO) test -run '^$$' -bench Lighthouse -benchtime 1x -timeout 20m ./e2e

## soak: 1,000 jobs on large.jpg, then the worker's RSS
soak:
	$(GO) test -run '^$$' -bench Soak -benchtime 1000x -timeout 60m ./e2e
