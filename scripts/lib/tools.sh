# shellcheck shell=bash
# Helpers for scripts/build-dist, .ci/mcpb and .ci/inspector; source this file.
# They fetch the pinned outside tools into a cache directory, so that a second
# run is offline.

# The cache, shared with .ci/conformance.
tools_cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/heppu-mcp-ci"


# sha256 FILE... prints the SHA-256 of each file ("-" for stdin) as
# sha256sum does; macOS has only shasum.
sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$@"
	else
		shasum -a 256 "$@"
	fi
}

# npm_tools NAME DIR installs the packages pinned in DIR/package.json and
# DIR/package-lock.json and sets npm_tools_dir to the directory holding their
# node_modules. The directory is keyed by the hash of the pins: a changed pin
# gets a fresh one, and an interrupted install is never taken for a finished
# one.
npm_tools() {
	local name=$1 dir=$2 key staging
	key=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256 - | cut -c1-16)
	npm_tools_dir="$tools_cache/$name-$key"
	[ -e "$npm_tools_dir/.complete" ] && return 0

	echo "== installing $dir/package-lock.json into $npm_tools_dir"
	mkdir -p "$tools_cache"
	# Staging directories older than a day were left by interrupted installs.
	find "$tools_cache" -mindepth 1 -maxdepth 1 -name ".staging-$name.*" -mmin +1440 \
		-exec rm -rf {} +
	staging=$(mktemp -d "$tools_cache/.staging-$name.XXXXXX")
	cp "$dir/package.json" "$dir/package-lock.json" "$staging/"
	# The system npm installs; EBADENGINE warnings about its own Node are noise.
	if ! (cd "$staging" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
		rm -rf "$staging"
		return 1
	fi
	touch "$staging/.complete"
	rm -rf "$npm_tools_dir"
	mv "$staging" "$npm_tools_dir"
	find "$tools_cache" -mindepth 1 -maxdepth 1 -name "$name-*" ! -path "$npm_tools_dir" \
		-exec rm -rf {} +
}

