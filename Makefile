GO ?= go

.PHONY: all build test vet fmt bench run

all: build

build:
	$(GO) build -o herald ./cmd/herald

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
