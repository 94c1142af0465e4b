#!/usr/bin/env bash
# Builds the base Python image from Debian packages (debootstrap + docker import) for hosts that
# cannot pull the official python image. Cached: an existing image with the same tag is reused.
# `bootstrap.sh [suite] [tag]`: bookworm (Python 3.11) by default; trixie gives Python 3.13.
set -euo pipefail

suite="${1:-bookworm}"
tag="${2:-${COVE_BASE_IMAGE:-cove/base-python:bookworm}}"
mirror="${COVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag: cached"
  exit 0
fi

command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
root=$(mktemp -d /var/tmp/cove-base.XXXXXX)
trap 'rm -rf "$root"' EXIT

echo "base image $tag: debootstrap $suite (about a minute)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  "$suite" "$root" "$mirror" >/dev/null
# Keep the image small: no apt lists, caches or docs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' \
  - "$tag" >/dev/null
echo "base image $tag: imported"
