# The two commands of the README, and the pieces they are made of.
SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test build release clean

## Builds the proxy and serves the contract on $(HOST):$(PORT) (Ctrl-C stops it).
run: release
	@mkdir -p .run
	@echo "actionproxy serving on http://$(HOST):$(PORT) (action files in .run/action); Ctrl-C to stop"
	cd .run && ../.build/release/actionproxy --host $(HOST) --port $(PORT)

## Builds everything and runs the whole test suite: the Swift tests (the
## container suites too, when Docker and the images are here; always in CI),
## then a bounded fuzz run of the request and archive intake (FUZZ_SECONDS).
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) fuzz

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product actionproxy

clean:
	rm -rf .build .build-fuzz .run

.PHONY: fuzz

FUZZ_SECONDS ?= 60

## Fuzzes the request and archive intake for FUZZ_SECONDS in all (default 60,
## split across the targets) with libFuzzer and AddressSanitizer; fails on any
## crash, hang or broken invariant and prints the input's path. What it finds
## stays in .build-fuzz/work. Fuzz/run lists the other settings.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) Fuzz/run

.PHONY: images

## Builds the runtime images of Dockerfiles/ (actionproxy/native, python, nodejs,
## swift, swift-slim): the base images first when they are missing (pulled, or
## made offline by scripts/offline-base-images), then every image; ends with
## each image's size.
images:
	scripts/offline-base-images
	scripts/build-images
