#!/usr/bin/env bash
# What the tests need besides the .NET SDK, installed only when missing (a fresh Debian 12 machine has none).
# Debian packages: the real third-party Kafka clients, Python libraries for the reference implementations,
# PostgreSQL, Chromium. npm: KafkaJS. Sourced by scripts/test.sh; safe to run again.

TEST_APT_PACKAGES=(
  kcat                      # librdkafka 2.0.2 command-line client (interop tests)
  python3-kafka             # kafka-python 2.0.2 (interop tests)
  python3-confluent-kafka   # the Python wrapper of librdkafka
  python3-protobuf          # RTLS byte-compatibility tests (the independent encoder/decoder)
  protobuf-compiler libprotobuf-dev   # protoc + google/protobuf/*.proto: message_pb2.py for those tests
  python3-numpy python3-scipy python3-sklearn   # LPBF reference implementation and benchmark
  python3-msgpack python3-pil python3-requests  # LPBF challenge-style Python client
  libdeflate0               # LPBF: the faster inflate Weir uses when present (tests check both paths agree)
  postgresql                # SQL connector and plant-sync tests run against a real server
  chromium                  # dashboard and web pages seen by a real browser
)

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to install: $*" >&2; return 1; fi
}

install_test_dependencies() {
  local missing=()
  for pkg in "${TEST_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi

  # KafkaJS, pinned by tests/node/package-lock.json.
  if [[ -f tests/node/package.json && ! -d tests/node/node_modules/kafkajs ]]; then
    echo "installing npm packages for tests/node"
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
