#!/usr/bin/env bash
# Every test: unit, route (real HAPI FHIR + PostgreSQL), contract (simulators) and the Karaf integration test.
# Makes sure PostgreSQL runs first (installs Debian's package if missing). `install`, not `verify`: Pax Exam
# installs the feature from the local Maven repository.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/scripts/postgres.sh"
cd "$ROOT" && mvn -B install
