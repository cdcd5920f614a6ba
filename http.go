package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/tools"
)

// maxBodyBytes caps an MCP request body. A tool call with a long system
// prompt is a few kilobytes.
const maxBodyBytes = 1 << 20

// drainTimeout bounds how long a shutdown waits for calls in flight.
const drainTimeout = 20 * time.Second

// httpOptions configures the HTTP transport.
type httpOptions struct {
	addr           string
	stateless      bool
	sandbox        bool
	allowedOrigins []string
	// envKey is true when HEPPU_API_KEY is set: a request without a key of
	// its own may then use it, but only on a loopback address.
	envKey bool
}

// serveHTTP serves streamable HTTP at /mcp, the legacy HTTP+SSE transport
// at /sse and /message, and /healthz, until ctx is done; then it stops
// accepting, lets calls in flight finish within drainTimeout, and returns.
// hooks must be the hooks srv was built with.
func serveHTTP(ctx context.Context, srv *server.MCPServer, hooks *server.Hooks,
	toolset *tools.Toolset, opts httpOptions, logger zerolog.Logger) error {
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", opts.addr, err)
	}
	loopback := isLoopbackAddr(ln.Addr())

	// An SSE session keeps the key of the request that opened it, for the
	// calls posted to it later, and forgets it when the session ends.
	sessionKeys := &keyStore{keys: map[string]string{}}
	hooks.AddOnUnregisterSession(func(_ context.Context, s server.ClientSession) {
		sessionKeys.delete(s.SessionID())
	})

	streamable := server.NewStreamableHTTPServer(srv,
		server.WithEndpointPath("/mcp"),
		server.WithStateLess(opts.stateless),
	)
	sse := server.NewSSEServer(srv,
		server.WithSSEEndpoint("/sse"),
		server.WithMessageEndpoint("/message"),
		server.WithUseFullURLForMessageEndpoint(false),
		server.WithKeepAlive(true),
		server.WithSessionIDGenerator(func(ctx context.Context, _ *http.Request) (string, error) {
			id := rand.Text()
			if key := tools.APIKey(ctx); key != "" {
				sessionKeys.set(id, key)
			}
			return id, nil
		}),
	)

	auth := &authenticator{
		required: !opts.sandbox && !(loopback && opts.envKey),
		sessions: sessionKeys,
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", auth.wrap(streamable))
	mux.Handle("/sse", auth.wrap(sse.SSEHandler()))
	mux.Handle("/message", auth.wrap(sse.MessageHandler()))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"status\":\"ok\",\"version\":%q}\n", buildVersion())
	})

	guard := &originGuard{allowed: opts.allowedOrigins}
	hs := &http.Server{
		Handler:           guard.wrap(limitBody(mux)),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// net/http's own complaints join the JSON log lines on stderr.
		ErrorLog: log.New(errorLogWriter{logger}, "", 0),
	}

	logger.Info().Str("version", buildVersion()).Str("transport", "http").
		Str("addr", ln.Addr().String()).Bool("stateless", opts.stateless).
		Bool("sandbox", opts.sandbox).Bool("loopback", loopback).Msg("heppu-mcp serving")

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serving http: %w", err)
	case <-ctx.Done():
	}

	// Stop accepting, let calls in flight finish, then end the streams
	// that would otherwise keep the server open.
	logger.Info().Msg("heppu-mcp shutting down")
	drain, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- hs.Shutdown(drain) }()
	if !toolset.Wait(drain) {
		logger.Warn().Msg("calls still in flight at the shutdown deadline")
	}
	sse.CloseSessions()
	streamable.CloseSessions(drain)
	if err := <-shut; err != nil && !errors.Is(err, http.ErrServerClosed) {
		hs.Close()
	}
	logger.Info().Msg("heppu-mcp stopped")
	return nil
}

func isLoopbackAddr(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// keyStore holds the Heppu key of each SSE session.
type keyStore struct {
	mu   sync.Mutex
	keys map[string]string
}

func (s *keyStore) set(id, key string) {
	s.mu.Lock()
	s.keys[id] = key
	s.mu.Unlock()
}

func (s *keyStore) get(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[id]
}

func (s *keyStore) delete(id string) {
	s.mu.Lock()
	delete(s.keys, id)
	s.mu.Unlock()
}

// authenticator takes each request's Heppu key from its own headers, or
// from the SSE session the request belongs to, and hands it to the tools
// through the request's context.
type authenticator struct {
	// required is set when a request must bring a key: on an address other
	// than loopback, or when there is no HEPPU_API_KEY to fall back on.
	required bool
	sessions *keyStore
}

func (a *authenticator) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := headerKey(r.Header)
		if key == "" && r.URL.Path == "/message" {
			key = a.sessions.get(r.URL.Query().Get("sessionId"))
		}
		if key == "" && a.required {
			w.Header().Set("WWW-Authenticate", `Bearer realm="heppu-mcp"`)
			http.Error(w, "a Heppu API key is required: send Authorization: Bearer KEY "+
				"or x-api-key: KEY", http.StatusUnauthorized)
			return
		}
		if key != "" {
			r = r.WithContext(tools.WithAPIKey(r.Context(), key))
		}
		next.ServeHTTP(w, r)
	})
}

// headerKey reads a key from Authorization: Bearer or x-api-key.
func headerKey(h http.Header) string {
	if k := strings.TrimSpace(h.Get("x-api-key")); k != "" {
		return k
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(h.Get("Authorization")), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token)
	}
	return ""
}

// originGuard refuses requests a web page on another site made: a request
// with an Origin header must come from a loopback origin or one of the
// allowed ones. Requests without Origin (every non-browser client) pass.
type originGuard struct {
	allowed []string
}

func (g *originGuard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !g.allows(origin) {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (g *originGuard) allows(origin string) bool {
	if slices.Contains(g.allowed, strings.TrimRight(origin, "/")) {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return heppu.IsLoopbackHost(u.Hostname())
}

// limitBody answers 413 to a body over maxBodyBytes, before any of it is
// parsed, whether or not the request declared its length.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBodyBytes {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
			if err != nil {
				http.Error(w, "reading request body", http.StatusBadRequest)
				return
			}
			if len(body) > maxBodyBytes {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}
