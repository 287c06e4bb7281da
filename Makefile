# Makefile for the indicator matcher. `make help` lists the targets.
# Everything here is a thin wrapper over the go command, so every target
# also works as the plain go command it shows.

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 20s
BENCHTIME   ?= 1s
PKGS        ?= ./...

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build bin/matcher
	$(GO) build -o bin/matcher ./cmd/matcher

.PHONY: run
run: ## run the main job on embedded defaults
	$(GO) run ./cmd/matcher run

.PHONY: test
test: ## run the whole test suite (the README's test command)
	$(GO) test $(PKGS)

.PHONY: test-race
test-race: ## run the test suite with the race detector
	$(GO) test -race $(PKGS)

.PHONY: bench
bench: ## run the product benchmark (matcher bench; BENCHFLAGS adds flags); report in bench/out
	$(GO) run ./cmd/matcher bench $(BENCHFLAGS)

.PHONY: bench-go
bench-go: ## run the go test benchmarks next to the code
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for fz in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$fz"; \
	    $(GO) test -run '^$$' -fuzz "^$$fz$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

.PHONY: lint
lint: ## go vet, gofmt and staticcheck
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) $(PKGS)

.PHONY: check
check: lint test test-race ## everything CI should pass

.PHONY: clean
clean: ## remove build output
	rm -rf bin
