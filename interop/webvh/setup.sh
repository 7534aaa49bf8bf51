#!/usr/bin/env bash
# Installs the did:webvh interop peer (interop/webvh/.venv, PyPI did-webvh==1.0.1
# pinned in requirements.txt). The shared interop/setup.sh does the work.
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../setup.sh"
