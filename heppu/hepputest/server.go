package hepputest

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a Handler served over HTTP on a fresh loopback port. Its
// methods, such as Requests and FailNext, are the Handler's.
type Server struct {
	// URL is the API root, such as http://127.0.0.1:43123/api/v1, ready for
	// heppu.Options.BaseURL.
	URL string
	*Handler

	srv    *http.Server
	served chan struct{}
	once   sync.Once
	err    error
}

// NewServer starts a Server configured by opts on 127.0.0.1 and a port the
// system picks. Close stops it.
func NewServer(opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hepputest: listening: %w", err)
	}
	h := NewHandler(opts)
	s := &Server{
		URL:     "http://" + ln.Addr().String() + apiPrefix,
		Handler: h,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 30 * time.Second,
			// The emulator runs inside heppu-mcp, whose stderr carries its
			// own log format; net/http's notes on broken connections are
			// expected here (faults make them) and not worth a line.
			ErrorLog: log.New(io.Discard, "", 0),
		},
		served: make(chan struct{}),
	}
	go func() {
		defer close(s.served)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server: it releases hung and delayed requests, closes
// every connection, and returns once no request is being handled. Calling
// it again does nothing and returns the same result.
func (s *Server) Close() error {
	s.once.Do(func() {
		// Stop the Handler first, so that requests released by the
		// connections closing are not taken for clients giving up.
		s.stop()
		s.err = s.srv.Close()
		<-s.served
		s.inflight.Wait()
	})
	return s.err
}
