#!/usr/bin/env bash
# Validates openapi.yaml against the OpenAPI 3.1 specification with openapi-spec-validator (a real
# validator: schema of the document, $refs resolved, path parameters declared, operation IDs unique).
#
# Installs the validator with pip into a virtual environment under out/openapi-venv the first time
# (needs python3 with venv and network access to PyPI; the project itself stays dependency-free), then
# reuses it. Not part of `make test`, which checks instead, offline, that openapi.yaml lists exactly the
# router's paths and methods (Tests/KVortexServerTests/OpenAPICoverageTests.swift).
#
#   scripts/check-openapi.sh [FILE]     default FILE: openapi.yaml at the repository root
#
# Knobs: PYTHON (default python3), OPENAPI_VALIDATOR_VERSION (the pip requirement, default pinned below).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VERSION=${OPENAPI_VALIDATOR_VERSION:-openapi-spec-validator==0.9.0}
VENV=out/openapi-venv
FILE=${1:-openapi.yaml}

if [[ ! -x $VENV/bin/openapi-spec-validator ]]; then
  echo "installing $VERSION into $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$VERSION"
fi
"$VENV/bin/openapi-spec-validator" --schema 3.1 "$FILE"
