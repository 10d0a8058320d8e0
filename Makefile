# tetrars — the two set-up commands on a fresh Debian 12 machine are
# `make demo` and `make test`; both install missing Debian packages first.

BUILD_DIR ?= build
JOBS ?= $(shell nproc)

# What the build, the tests, the fake agent and the bench need from Debian.
DEBIAN_PACKAGES = g++ cmake make pkg-config git python3 binutils \
  libnghttp2-dev libprotobuf-dev protobuf-compiler zlib1g-dev libre2-dev \
  libgrpc++-dev libgtest-dev nlohmann-json3-dev \
  dpkg-dev debhelper fakeroot lintian systemd

.PHONY: all deps install-packages build install test test-asan test-systemd fuzz soak demo bench format clean

ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_PACKAGES = clang libclang-rt-14-dev

all: build

deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(DEBIAN_PACKAGES)"

install-packages:
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" -ne 0 ]; then \
	    echo "tetrars: missing Debian packages:" $$missing ": run 'sudo make deps' or install them" >&2; exit 1; \
	  fi; \
	  echo "Installing Debian packages:" $$missing; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_INSTALL_PREFIX=/usr

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The whole test suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DTETRARS_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -E DebianPackage

# The Debian package under a real systemd: a Debian 12 container (debootstrap,
# cached in /var/cache/tetrars-test-systemd/) booted with systemd-nspawn; the
# unit, journald and the rsyslog example checked one by one (tests/systemd/).
# Needs root. The fake agent is the only part of build/ it runs.
SYSTEMD_TEST_PACKAGES = debootstrap systemd-container util-linux ccache
test-systemd: deps $(BUILD_DIR)/CMakeCache.txt
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(SYSTEMD_TEST_PACKAGES)"
	cmake --build $(BUILD_DIR) -j $(JOBS) --target tetragon-fake
	python3 tests/systemd/run.py --build-dir $(BUILD_DIR)

# libFuzzer targets, each run for FUZZ_SECONDS (longer by hand: make fuzz FUZZ_SECONDS=1800).
fuzz: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(FUZZ_PACKAGES)"
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTETRARS_FUZZ=ON -DTETRARS_BUILD_TESTS=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target deframer_fuzzer decode_encode_fuzzer wire_oracle_fuzzer \
	  field_mask_fuzzer
	python3 scripts/fuzz.py --build-dir $(FUZZ_DIR) --seconds $(FUZZ_SECONDS)

# CMake install of the binary, man page, systemd unit and /etc/default/tetrars
# (DESTDIR=/some/dir to stage it). --strip drops the symbols and debug info
# (20 MB down to a few); strip keeps the ELF section .sbom, so `tetrars --sbom`
# still works on the installed copy (tests/deb_test.sh checks both).
install: build
	cmake --install $(BUILD_DIR) --strip

# 10 million events through tetrars, RSS sampled every second.
soak: build
	python3 scripts/soak.py --build-dir $(BUILD_DIR)

# The demo runs tetrars and the fake agent only: build those two, not the tests.
demo: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target tetrars tetragon-fake
	scripts/demo.sh $(BUILD_DIR)

bench: build
	python3 scripts/bench.py --build-dir $(BUILD_DIR) $(BENCH_ARGS)

format:
	clang-format -i src/*.cpp src/*/*.h src/*/*.cpp tests/*.h tests/*.cpp tools/fake_agent/*.h tools/fake_agent/*.cpp

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
