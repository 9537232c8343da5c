# net-sentinel build entry points. `make run` and `make test` do their own set-up (deps, restore, build).
SHELL := /bin/bash
CONFIGURATION ?= Release
RID ?= linux-x64
BIN_DIR := src/NetSentinel.Cli/bin/$(CONFIGURATION)/net10.0
BIN := $(BIN_DIR)/net-sentinel
PUBLISH_DIR := out/$(RID)
ARGS ?=

# Debian packages, one line per purpose (append a line of your own rather than editing another's).
# clang + libbpf-dev compile the BPF object; libbpf1 loads it; zlib1g-dev links the NativeAOT binary.
DEB_PACKAGES := clang llvm libbpf-dev libbpf1 zlib1g-dev
# iproute2 makes the namespace test hosts (tests, benchmarks).
DEB_PACKAGES += iproute2
# bpftool and libbpf-tools (tcplife) are the tests' independent witnesses of the kernel side.
DEB_PACKAGES += bpftool libbpf-tools
# gnupg and zip sign and pack releases.
DEB_PACKAGES += gnupg zip

# Real peer programs only the test suite starts (installed by `make test`, not by `make run`).
TEST_DEB_PACKAGES := jq
# dnsmasq is the real DNS server (and local stub) the live DNS tests start in a namespace test host, and the
# UDP-direction test's server answering a client (its answers are not outbound).
TEST_DEB_PACKAGES += dnsmasq
# rsyslog is the real log shipper make shipping-test starts (its own instance and config). syslog-ng-core
# conflicts with it, so the test fetches it (and its libivykis0, libnet1) with apt-get download and unpacks them.
TEST_DEB_PACKAGES += rsyslog
# prometheus is the real scraper the metrics test starts (its own config, storage and loopback port) to read
# the monitor's /metrics and answer PromQL about it.
TEST_DEB_PACKAGES += prometheus

# What only `make test-windows` needs: Wine runs the Windows executable, jq reads its JSON.
WINDOWS_TEST_DEB_PACKAGES := wine64 jq

.PHONY: all deps test-deps install-debs build run test publish publish-windows test-windows clean dist sign verify package-test schema-check shipping-test

all: build

deps:
	@$(MAKE) --no-print-directory install-debs PACKAGES="$(DEB_PACKAGES)"

# deps plus the peer programs the tests start (DNS server, Prometheus, shippers, ...).
test-deps:
	@$(MAKE) --no-print-directory install-debs PACKAGES="$(DEB_PACKAGES) $(TEST_DEB_PACKAGES)"

install-debs:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "deps: missing Debian packages:$$missing"; \
	    echo "deps: run: sudo apt-get install -y$$missing   (or run this make target as root)"; exit 1; \
	  fi; \
	fi; \
	command -v dotnet >/dev/null || { echo "deps: the .NET 10 SDK is missing: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian), then re-run"; exit 1; }

build: deps
	dotnet build NetSentinel.sln -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

# The main job: one snapshot of outbound connections. Exit code 1 means "alerts found", which is a
# successful run for make; run as root to see every process's sockets.
run: build
	@$(BIN) --once $(ARGS); code=$$?; [ $$code -eq 0 ] || [ $$code -eq 1 ]

test: test-deps
	dotnet test NetSentinel.sln -c $(CONFIGURATION) -nologo

# The JSON lines of a real run (eBPF, polling, --once) checked against the ECS field definitions of the
# @elastic/ecs npm package, schema/net-sentinel.schema.json and the index template (docs/jsonl-schema.md).
# Root (eBPF), node and npm; installs its npm packages from tools/schema-check/package-lock.json.
schema-check: build
	tools/schema-check/record-and-check.sh

# Real shippers from Debian (rsyslog, and syslog-ng unpacked with dpkg -x) read a real run's log across
# rotations as an unprivileged member of the log's group: lines in = lines out, every line JSON (docs/shipping.md).
# Root; about a minute.
shipping-test: build test-deps
	tests/shipping/run.sh

# One self-contained NativeAOT executable: out/linux-x64/net-sentinel
publish: deps
	dotnet publish src/NetSentinel.Cli -c Release -r $(RID) -o $(PUBLISH_DIR) -nologo
	@ls -l $(PUBLISH_DIR)/net-sentinel

# Self-contained single-file Windows executable, cross-built on Linux: out/win-x64/net-sentinel.exe
# (trimmed and compressed: the csproj's win-x64 properties).
publish-windows:
	@command -v dotnet >/dev/null || { echo "publish-windows: the .NET 10 SDK is missing"; exit 1; }
	dotnet publish src/NetSentinel.Cli -c Release -r win-x64 -o out/win-x64 -nologo
	@ls -l out/win-x64/net-sentinel.exe

# The real Windows executable under Wine in a private network namespace (tests/windows/smoke.sh):
# one pass/fail line per check and a closing "N passed, N failed" line. Root; about a minute plus the two publishes.
test-windows:
	@$(MAKE) --no-print-directory install-debs PACKAGES="$(WINDOWS_TEST_DEB_PACKAGES)"
	$(MAKE) --no-print-directory publish-windows
	dotnet publish tests/windows/Probe -c Release -r win-x64 -o out/win-x64-probe -nologo
	tests/windows/smoke.sh out/win-x64/net-sentinel.exe out/win-x64-probe/nsprobe.exe

clean:
	dotnet clean NetSentinel.sln -nologo -v q >/dev/null; rm -rf out

# Release files (see the README, "Install and verify"). The version is Directory.Build.props' <Version>.
VERSION := $(shell sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props)
DIST_DIR ?= dist
# DIST_WINDOWS=no leaves out the win-x64 zip (package-test does, to stay quick).
DIST_WINDOWS ?= yes

# dist/: linux-x64 tarball, win-x64 zip, .NET tool package, .deb, source archive, SHA256SUMS.
dist: deps
	$(MAKE) --no-print-directory publish RID=linux-x64
	$(if $(filter yes,$(DIST_WINDOWS)),$(MAKE) --no-print-directory publish-windows)
	VERSION=$(VERSION) DIST_DIR=$(DIST_DIR) LINUX_BIN=out/linux-x64/net-sentinel \
	  WINDOWS_EXE=$(if $(filter yes,$(DIST_WINDOWS)),out/win-x64/net-sentinel.exe) packaging/dist.sh

# FILE.asc for every release file and SHA256SUMS, by the key NETSENTINEL_GPG_KEY names.
sign:
	packaging/sign.sh $(DIST_DIR)

# Checks every signature and checksum in dist/; fails on any mismatch.
verify:
	packaging/verify.sh $(DIST_DIR)

# Builds the tool package and the .deb into a temporary directory and checks them, the unit, and sign/verify.
package-test: deps
	tests/packaging/check-dist.sh

# Benchmarks (issue 4, docs/performance.md): the live monitor's cost to the workload it watches, as
# ratios against rounds without it (and with tcplife) in the same run; writes bench/results/latest.md.
# Root; about 8 minutes. bench-soak: a 5-minute connect storm watching the monitor's memory. bench-pipeline: the
# user-space CPU per connection of the decoder, ledger and detectors alone, and per line with every connection logged
# (no kernel, no root; compares builds).
.PHONY: bench bench-soak bench-tools bench-pipeline
# kernelonly and its objects: bench/run.sh's "kernel" mode, the monitor's kernel programs alone (compiled as the build
# does), and its "floor" mode, a program doing nothing on each of the same hooks.
bench-tools:
	@mkdir -p out/bench
	cc -O2 -Wall -Wextra -pthread -o out/bench/nsload bench/loadgen/nsload.c
	cc -O2 -Wall -Wextra -o out/bench/dnsstorm bench/loadgen/dnsstorm.c
	cc -O2 -Wall -Wextra -o out/bench/kernelonly bench/loadgen/kernelonly.c -lbpf
	clang -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror -Ibpf -c bpf/netsentinel.bpf.c -o out/bench/netsentinel.bpf.o
	clang -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror -Ibpf -c bench/loadgen/floor.bpf.c -o out/bench/floor.bpf.o
bench: publish bench-tools
	bench/run.sh
bench-soak: publish bench-tools
	bench/soak.sh
bench-pipeline:
	dotnet run -c Release --project bench/PipelineBench

# The detection self-test (issue 14, docs/detectors.md "Self-test"): seven attacks and seven benign look-alikes, each a
# program of its own, against a namespace test host under the live monitor, with CI's shorter clocks
# (tests/selftest/ci.toml). Prints the table; fails on a missed attack, a look-alike at medium or higher, or a sweep
# of more than 3 alert lines. Root (namespaces, eBPF); about a minute.
.PHONY: scenarios
scenarios: build
	$(BIN) selftest --config tests/selftest/ci.toml

# Whitespace style as .editorconfig states it; .ci/run fails on any drift (fix: dotnet format whitespace NetSentinel.sln).
.PHONY: format-check
format-check:
	dotnet format whitespace NetSentinel.sln --verify-no-changes
