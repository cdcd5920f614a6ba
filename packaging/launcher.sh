#!/bin/sh
# Starts the heppu-mcp binary built for this system, from the bundle's
# server/ directory. A host that honours the manifest's platform_overrides
# runs the binaries directly on macOS and Windows; this launcher serves Linux,
# where the manifest cannot tell x86-64 from arm64, and any host that ignores
# the overrides.
dir=$(dirname "$0")
case $(uname -s) in
Darwin) exec "$dir/heppu-mcp-darwin" "$@" ;;
Linux) ;;
*)
	echo "heppu-mcp: this bundle has no binary for $(uname -s)" >&2
	exit 1
	;;
esac
case $(uname -m) in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*)
	echo "heppu-mcp: this bundle has no Linux binary for $(uname -m)" >&2
	exit 1
	;;
esac
exec "$dir/heppu-mcp-linux-$arch" "$@"
