// Package bench holds heppu-mcp's benchmarks: in-process ones for
// go test -bench, the heppubench command that measures heppu-mcp side by
// side with a bare mcp-go server (bench/bare) and direct HTTP POSTs, and
// that bare server. None of it is shipped; see bench/README.md.
package bench
