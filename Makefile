# tetrars — the two set-up commands on a fresh Debian 12 machine are
# `make demo` and `make test`; both install missing Debian packages first.

BUILD_DIR ?= build
JOBS ?= $(shell nproc)

# What the build, the tests, the fake agent and the bench need from Debian.
DEBIAN_PACKAGES = g++ cmake make pkg-config git python3 \
  libnghttp2-dev libprotobuf-dev protobuf-compiler \
  libgrpc++-dev libgtest-dev nlohmann-json3-dev

.PHONY: all deps build test demo bench format clean

all: build

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
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
	cmake -S . -B $(BUILD_DIR)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	scripts/demo.sh $(BUILD_DIR)

bench: build
	python3 scripts/bench.py --build-dir $(BUILD_DIR)

format:
	clang-format -i src/*.h src/*.cpp tests/*.h tests/*.cpp tools/fake_agent/*.h tools/fake_agent/*.cpp

clean:
	rm -rf $(BUILD_DIR)
