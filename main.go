// Command heppu-mcp is an MCP server that lets an AI assistant create and
// manage Heppu voice and chat agents. See README.md.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
	"github.com/heppu-ai/heppu-mcp/tools"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version string

func main() {
	// Log times in UTC: unambiguous in a log read elsewhere, and the local
	// zone need not be loaded from disk at every start.
	zerolog.TimestampFunc = func() time.Time { return time.Now().UTC() }
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "heppu-mcp:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "heppu-mcp:", err)
		os.Exit(1)
	}
}

// usageError is a mistake on the command line.
type usageError struct{ error }

// config is the command line and environment, checked.
type config struct {
	transport      string
	addr           string
	stateless      bool
	allowedOrigins []string
	sandbox        bool
	readOnly       bool
	tools          []string // the allow-list; empty means every tool
	timeout        time.Duration
	logLevel       zerolog.Level
	apiKey         string
	baseURL        string
}

// run is the whole program: main only supplies the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg == nil { // --version
		fmt.Fprintln(stdout, "heppu-mcp", buildVersion())
		return nil
	}

	logger := zerolog.New(stderr).Level(cfg.logLevel).With().Timestamp().Logger()

	client, closeSandbox, err := newClient(cfg, logger)
	if err != nil {
		return err
	}
	defer closeSandbox()

	toolset := tools.New(tools.Options{Client: client, Logger: logger, Sandbox: cfg.sandbox})
	served, err := toolset.Select(cfg.tools, cfg.readOnly)
	if err != nil {
		return usageError{fmt.Errorf("--tools: %w", err)}
	}
	hooks := &server.Hooks{}
	srv := newServer(toolset, served, hooks)

	switch cfg.transport {
	case "stdio":
		logger.Info().Str("version", buildVersion()).Str("transport", "stdio").
			Bool("sandbox", cfg.sandbox).Int("tools", len(served)).Msg("heppu-mcp serving")
		if err := serveStdio(ctx, srv, stdin, stdout, logger); err != nil {
			return err
		}
		logger.Info().Msg("heppu-mcp stopped")
		return nil
	default:
		return serveHTTP(ctx, srv, hooks, toolset, httpOptions{
			addr:           cfg.addr,
			stateless:      cfg.stateless,
			sandbox:        cfg.sandbox,
			allowedOrigins: cfg.allowedOrigins,
			envKey:         cfg.apiKey != "",
		}, logger)
	}
}

// newServer returns the MCP server of the tools served, with the
// resources, prompts and completions that guide the model.
func newServer(toolset *tools.Toolset, served []server.ServerTool, hooks *server.Hooks) *server.MCPServer {
	srv := server.NewMCPServer("heppu-mcp", buildVersion(),
		server.WithHooks(hooks),
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(false, false),
		server.WithPromptCapabilities(false),
		server.WithCompletions(),
		server.WithPromptCompletionProvider(toolset.PromptCompletions()),
		server.WithResourceCompletionProvider(toolset.ResourceCompletions()),
		server.WithLogging(),
		server.WithElicitation(),
		server.WithInstructions(toolset.Instructions(served)),
	)
	srv.AddTools(served...)
	srv.AddResources(toolset.Resources()...)
	srv.AddResourceTemplates(toolset.ResourceTemplates()...)
	if slices.ContainsFunc(served, func(st server.ServerTool) bool { return st.Tool.Name == "create_agent" }) {
		// The design prompts end in create_agent; without it they would
		// lead the model to a tool it does not have.
		srv.AddPrompts(toolset.Prompts()...)
	}
	return srv
}

// parseConfig reads the flags and the environment. It returns a nil config
// and no error when only the version was asked for.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("heppu-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	fs.StringVar(&cfg.transport, "transport", "stdio", "`stdio` or http")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "http listen address, `HOST:PORT`")
	fs.BoolVar(&cfg.stateless, "stateless", false,
		"http: serve streamable HTTP without sessions, for replicas behind a load balancer")
	origins := fs.String("allowed-origins", "",
		"http: comma-separated browser origins to allow besides loopback ones, such as `https://app.example.com`")
	fs.BoolVar(&cfg.readOnly, "read-only", false,
		"serve only the tools that change nothing (list_agents, get_agent); or HEPPU_READ_ONLY=true")
	toolList := fs.String("tools", "",
		"comma-separated `names` of the tools to serve (default all); or HEPPU_TOOLS")
	fs.BoolVar(&cfg.sandbox, "sandbox", false,
		"use the built-in emulated Heppu API; no key needed, the agents are not real")
	fs.DurationVar(&cfg.timeout, "timeout", heppu.DefaultTimeout, "per-request timeout towards Heppu")
	level := fs.String("log-level", "", "`debug`, info, warn or error (default info, or HEPPU_LOG_LEVEL)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: heppu-mcp [flags]\n\n"+
			"An MCP server for Heppu voice and chat agents. The API key comes from\n"+
			"HEPPU_API_KEY; HEPPU_BASE_URL and HEPPU_LOG_LEVEL are optional.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q; the API key belongs in HEPPU_API_KEY", fs.Arg(0))}
	}
	if *showVersion {
		return nil, nil
	}

	if cfg.transport != "stdio" && cfg.transport != "http" {
		return nil, usageError{fmt.Errorf("--transport must be stdio or http, not %q", cfg.transport)}
	}
	if cfg.timeout <= 0 {
		return nil, usageError{fmt.Errorf("--timeout must be positive, not %s", cfg.timeout)}
	}
	if *level == "" {
		*level = getenv("HEPPU_LOG_LEVEL")
	}
	lvl, err := parseLevel(*level)
	if err != nil {
		return nil, usageError{err}
	}
	cfg.logLevel = lvl
	if v := strings.ToLower(strings.TrimSpace(getenv("HEPPU_READ_ONLY"))); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, usageError{fmt.Errorf("HEPPU_READ_ONLY must be true or false, not %q", v)}
		}
		cfg.readOnly = cfg.readOnly || on // read-only wins
	}
	if *toolList == "" {
		*toolList = getenv("HEPPU_TOOLS")
	}
	cfg.tools = splitList(*toolList)
	for _, o := range splitList(*origins) {
		cfg.allowedOrigins = append(cfg.allowedOrigins, strings.TrimRight(o, "/"))
	}
	cfg.apiKey = strings.TrimSpace(getenv("HEPPU_API_KEY"))
	cfg.baseURL = strings.TrimSpace(getenv("HEPPU_BASE_URL"))
	return cfg, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func parseLevel(s string) (zerolog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "info":
		return zerolog.InfoLevel, nil
	case "debug":
		return zerolog.DebugLevel, nil
	case "warn", "warning":
		return zerolog.WarnLevel, nil
	case "error":
		return zerolog.ErrorLevel, nil
	}
	return zerolog.NoLevel, fmt.Errorf("log level must be debug, info, warn or error, not %q", s)
}

// newClient returns the Heppu client: towards the real API, or in sandbox
// mode towards an emulator started here, which stop stops.
func newClient(cfg *config, logger zerolog.Logger) (client *heppu.Client, stop func(), err error) {
	opts := heppu.Options{
		BaseURL:   cfg.baseURL,
		APIKey:    cfg.apiKey,
		Timeout:   cfg.timeout,
		UserAgent: "heppu-mcp/" + buildVersion(),
	}
	stop = func() {}
	if cfg.sandbox {
		key := rand.Text()
		emu, err := hepputest.NewServer(hepputest.Options{
			Keys:        map[string]string{key: "sandbox"},
			MaxRequests: 100, // only tests read them; keep the sandbox small
		})
		if err != nil {
			return nil, nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		stop = func() { emu.Close() }
		opts.BaseURL, opts.APIKey = emu.URL, key
		logger.Warn().Str("emulator", emu.URL).Msg("sandbox mode: tools talk to a built-in " +
			"emulation of the Heppu API; agents created here are not real and vanish on exit")
	}
	client, err = heppu.NewClient(opts)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("HEPPU_BASE_URL: %w", err)
	}
	if !client.HasAPIKey() {
		logger.Warn().Msg("HEPPU_API_KEY is not set: the server runs, but every tool call " +
			"that reaches Heppu will explain how to set the key (or use --sandbox)")
	}
	return client, stop, nil
}

// buildVersion returns the version set with -ldflags, or the module version
// the binary was built from, or "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

// errorLogWriter turns the HTTP server's own log lines into zerolog error
// lines, so stderr carries one format.
type errorLogWriter struct{ log zerolog.Logger }

// Write logs p as one error line.
func (w errorLogWriter) Write(p []byte) (int, error) {
	w.log.Error().Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
