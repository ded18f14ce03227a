#!/usr/bin/env bash
# Runs all of Arca's tests: unit and table tests, the storage conformance
# suites, in-process HTTP scenarios, and end-to-end tests that drive the
# real clients (AWS CLI, boto3, npm) against the arca binary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
# A throwaway PostgreSQL server for the store's conformance suite and the
# replica scenarios; each test makes its own schema in it.
pgdir=$(mktemp -d)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
ARCA_TEST_DATABASE=$(scripts/postgres.sh start "$pgdir")
export ARCA_TEST_DATABASE ARCA_REQUIRE_POSTGRES=1
go vet ./...
# The race detector over the packages' own tests, where the server's
# concurrency lives in-process: caches, key rings, the audit writer,
# connection limits. The end-to-end tests below run the arca binary in
# another process, out of its reach. Measured on two shared cores: 2m40s
# with -race against 1m40s without, for ./internal/...
go test -race -count=1 -timeout 20m ./internal/... ./cmd/...
# The policy corpus is checked against iam-simulate, installed by the test;
# the S3 blob store against versitygw (install-test-deps.sh); the web
# console in chromium.
ARCA_REQUIRE_IAM_SIMULATE=1 ARCA_REQUIRE_S3=1 ARCA_REQUIRE_CHROMIUM=1 go test -count=1 -timeout 75m ./...
# Issue 16's attacks against a real arca serve, short form (under a
# minute): a PASS line per attack with the server's RSS and descriptors.
# The long form, with the original run's sizes: go run ./bench/hostile -long
go run ./bench/hostile
