#!/usr/bin/env bash
# The site's URL and base path on GitHub Pages, as PB_SITE=… and PB_BASE=… lines for $GITHUB_ENV
# (.github/workflows/pages.yml; astro.config.mjs reads them). Derived from $GITHUB_REPOSITORY
# ("owner/name"), which every Actions run sets:
#   a project site   owner/name             → https://owner.github.io + /name
#   a user site      owner/owner.github.io  → https://owner.github.io + /
# A custom domain: set the repository variables PB_SITE (e.g. https://example.org) and PB_BASE (e.g. /);
# the workflow passes them in, and they win.
set -euo pipefail

repo="${GITHUB_REPOSITORY:-}"
if [[ ! "$repo" =~ ^[^/]+/[^/]+$ ]]; then
  echo "pages-env: GITHUB_REPOSITORY must be owner/name (got '${repo}')" >&2
  exit 2
fi
owner="${repo%%/*}"
name="${repo#*/}"
# Pages hosts are lower case; the path keeps the repository's spelling.
host="$(printf '%s' "$owner" | tr '[:upper:]' '[:lower:]').github.io"
if [ "$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]')" = "$host" ]; then base="/"; else base="/${name}"; fi
printf 'PB_SITE=%s\nPB_BASE=%s\n' "${PB_SITE:-https://${host}}" "${PB_BASE:-$base}"
