GO ?= go

.PHONY: all build image test vet fmt bench run

all: build

# Stamped into the binary and the image (internal/buildinfo).
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BUILDINFO := github.com/heraldhq/herald/internal/buildinfo
LDFLAGS  := -X $(BUILDINFO).Version=$(VERSION) -X $(BUILDINFO).Revision=$(REVISION)
IMAGE    ?= herald:$(VERSION)

# A static binary (no cgo: SQLite is pure Go), like the image's.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o herald ./cmd/herald

# The container image (Dockerfile); needs Docker and a registry for the
# builder stage. Another architecture: make image DOCKER_BUILD="docker buildx
# build --platform linux/arm64 --load".
DOCKER_BUILD ?= docker build
image:
	$(DOCKER_BUILD) --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) -t $(IMAGE) .

# The one command that runs the tests on a fresh machine (see README.md).
test:
	./scripts/test-deps.sh
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) test -race -timeout 20m ./...
	cd deploy/helm/test && $(GO) test ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

run:
	$(GO) run ./cmd/herald
