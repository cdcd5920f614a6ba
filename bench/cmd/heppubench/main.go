// Command heppubench measures heppu-mcp side by side with a bare mcp-go
// server (bench/bare) and with direct HTTP POSTs, all against one
// in-process hepputest emulator on loopback, and prints a markdown table
// with the ratios and a PASS or FAIL per target. See bench/README.md.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
)

// createArgs is the seed voice agent of Heppu's documentation.
const createArgs = `{"name":"Customer Support Agent","type":"voice",` +
	`"instructions":"You are a helpful customer support agent. Be polite and professional.",` +
	`"config":{"voice":"sage","speed":1.0,"interruptionThreshold":0.5},` +
	`"toolIds":["web_search","calendar"]}`

const protocolVersion = "2025-06-18"

const benchKey = "bench-key"

type options struct {
	cold     int
	warmup   int
	calls    int
	memCalls int
	duration time.Duration
	levels   []int
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "heppubench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("heppubench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.IntVar(&o.cold, "cold", 40, "cold starts per server")
	fs.IntVar(&o.warmup, "warmup", 200, "warm-up calls per contender")
	fs.IntVar(&o.calls, "calls", 2000, "measured sequential stdio calls per contender")
	fs.IntVar(&o.memCalls, "mem-calls", 10000, "calls after warm-up before the second RSS reading")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "length of each HTTP concurrency run")
	levels := fs.String("clients", "1,16,64", "comma-separated HTTP client counts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: bad count %q", s)
		}
		o.levels = append(o.levels, n)
	}
	if o.memCalls < o.calls {
		return errors.New("-mem-calls must be at least -calls")
	}
	progress := func(format string, a ...any) { fmt.Fprintf(stderr, "# "+format+"\n", a...) }

	// Build both servers the way a user would.
	tmp, err := os.MkdirTemp("", "heppubench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	heppuBin, bareBin := filepath.Join(tmp, "heppu-mcp"), filepath.Join(tmp, "bare")
	progress("building heppu-mcp and bench/bare")
	if err := goBuild(heppuBin, "."); err != nil {
		return err
	}
	if err := goBuild(bareBin, "./bench/bare"); err != nil {
		return err
	}

	emu, err := hepputest.NewServer(hepputest.Options{
		Keys:        map[string]string{benchKey: "bench"},
		MaxRequests: 10, // keep the recording flat over many calls
	})
	if err != nil {
		return err
	}
	defer emu.Close()
	env := append(os.Environ(), "HEPPU_BASE_URL="+emu.URL, "HEPPU_API_KEY="+benchKey)
	servers := []*serverSpec{
		{name: "heppu-mcp", bin: heppuBin, env: env, tmp: tmp},
		{name: "bare", bin: bareBin, env: env, tmp: tmp},
	}
	direct := newDirect(emu.URL)

	rep := &report{opts: o}

	progress("cold start: %d runs each", o.cold)
	if err := coldStart(servers, o.cold, rep); err != nil {
		return err
	}
	progress("stdio: %d warm-up and %d measured calls each; %d calls for memory",
		o.warmup, o.calls, o.memCalls)
	if err := stdioSequential(servers, direct, o, rep); err != nil {
		return err
	}
	progress("streamable HTTP: %v clients, %s per run", o.levels, o.duration)
	if err := httpConcurrent(servers, direct, o, rep); err != nil {
		return err
	}

	rep.write(stdout)
	return nil
}

// goBuild builds a contender as scripts/build-dist builds a release: static
// and stripped. Both servers are built alike, so neither pays for the
// dynamic loader or debug sections that the other does not.
func goBuild(out, pkg string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s: %w", pkg, err)
	}
	return nil
}

// serverSpec is one contender's binary and environment.
type serverSpec struct {
	name string
	bin  string
	env  []string
	tmp  string
}

// --- stdio ---------------------------------------------------------------

// stdioClient speaks newline-delimited JSON-RPC to a child process.
type stdioClient struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	nextID int
	buf    []byte
}

func startStdio(s *serverSpec) (*stdioClient, time.Time, error) {
	cmd := exec.Command(s.bin, "--transport", "stdio")
	cmd.Env = s.env
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer devnull.Close()
	cmd.Stderr = devnull // the child writes its log straight to /dev/null
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, time.Time{}, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, time.Time{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, time.Time{}, fmt.Errorf("starting %s: %w", s.name, err)
	}
	return &stdioClient{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10)}, start, nil
}

// handshake runs initialize, notifications/initialized and tools/list.
func (c *stdioClient) handshake() error {
	if _, err := c.call("initialize", `{"protocolVersion":"`+protocolVersion+
		`","capabilities":{},"clientInfo":{"name":"heppubench","version":"0"}}`); err != nil {
		return err
	}
	if _, err := io.WriteString(c.in,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n"); err != nil {
		return err
	}
	res, err := c.call("tools/list", `{}`)
	if err != nil {
		return err
	}
	if !bytes.Contains(res, []byte(`"create_agent"`)) {
		return errors.New("tools/list has no create_agent")
	}
	return nil
}

// call sends one request and returns its result, skipping notifications.
func (c *stdioClient) call(method, params string) (json.RawMessage, error) {
	c.nextID++
	c.buf = fmt.Appendf(c.buf[:0], `{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`+"\n",
		c.nextID, method, params)
	if _, err := c.in.Write(c.buf); err != nil {
		return nil, err
	}
	for {
		line, err := c.out.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("reading the answer to %s: %w", method, err)
		}
		res, id, err := parseResponse(line)
		if err != nil {
			return nil, err
		}
		if id == c.nextID {
			return res, nil
		}
	}
}

// createAgent calls create_agent and checks the result is not an error.
func (c *stdioClient) createAgent() error {
	res, err := c.call("tools/call", `{"name":"create_agent","arguments":`+createArgs+`}`)
	if err != nil {
		return err
	}
	return checkToolResult(res)
}

func (c *stdioClient) close() {
	c.in.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

func parseResponse(line []byte) (json.RawMessage, int, error) {
	var m struct {
		ID     *int            `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, 0, fmt.Errorf("decoding %q: %w", truncate(line), err)
	}
	if m.ID == nil {
		return nil, 0, nil // a notification
	}
	if len(m.Error) > 0 && string(m.Error) != "null" {
		return nil, *m.ID, fmt.Errorf("JSON-RPC error: %s", m.Error)
	}
	return m.Result, *m.ID, nil
}

func checkToolResult(res json.RawMessage) error {
	var r struct {
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	if r.IsError {
		return fmt.Errorf("create_agent failed: %s", truncate(res))
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// coldStart times process start to the tools/list answer, alternating
// between the servers.
func coldStart(servers []*serverSpec, n int, rep *report) error {
	rep.cold = map[string][]time.Duration{}
	for i := range n {
		for j := range servers {
			s := servers[(i+j)%len(servers)]
			c, start, err := startStdio(s)
			if err != nil {
				return err
			}
			err = c.handshake()
			d := time.Since(start)
			c.close()
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			rep.cold[s.name] = append(rep.cold[s.name], d)
		}
	}
	return nil
}

// stdioSequential measures sequential create_agent calls over stdio next
// to direct POSTs, interleaved in blocks, then keeps calling heppu-mcp
// until it has served memCalls measured calls and reads its RSS again.
func stdioSequential(servers []*serverSpec, direct *directClient, o options,
	rep *report) error {
	clients := map[string]*stdioClient{}
	for _, s := range servers {
		c, _, err := startStdio(s)
		if err != nil {
			return err
		}
		defer c.close()
		if err := c.handshake(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		clients[s.name] = c
	}
	ctx := context.Background()
	for range o.warmup {
		for _, s := range servers {
			if err := clients[s.name].createAgent(); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
		if err := direct.post(ctx); err != nil {
			return err
		}
	}
	runtime.GC()
	for _, s := range servers {
		rss, err := readRSS(clients[s.name].cmd.Process.Pid)
		if err != nil {
			return err
		}
		rep.rssWarm = append(rep.rssWarm, rss)
	}

	rep.stdio = map[string][]time.Duration{}
	rep.stdioCPU = map[string]time.Duration{}
	const block = 100
	for done := 0; done < o.calls; done += block {
		for _, s := range servers {
			c := clients[s.name]
			before, err := cpuTime(c.cmd.Process.Pid)
			if err != nil {
				return err
			}
			for range min(block, o.calls-done) {
				t := time.Now()
				if err := c.createAgent(); err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				rep.stdio[s.name] = append(rep.stdio[s.name], time.Since(t))
			}
			after, err := cpuTime(c.cmd.Process.Pid)
			if err != nil {
				return err
			}
			rep.stdioCPU[s.name] += after - before
		}
		for range min(block, o.calls-done) {
			t := time.Now()
			if err := direct.post(ctx); err != nil {
				return err
			}
			rep.stdio["direct POST"] = append(rep.stdio["direct POST"], time.Since(t))
		}
	}

	// The rest of the memory run: every server reaches memCalls calls.
	for range o.memCalls - o.calls {
		for _, s := range servers {
			if err := clients[s.name].createAgent(); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
	}
	for _, s := range servers {
		rss, err := readRSS(clients[s.name].cmd.Process.Pid)
		if err != nil {
			return err
		}
		rep.rssAfter = append(rep.rssAfter, rss)
	}
	return nil
}

// cpuTime returns the CPU time a process's threads have run for, from
// /proc/PID/task/*/schedstat, in nanoseconds: finer than the clock ticks
// of /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil {
		return 0, err
	}
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // a thread that ended
		}
		f, _, _ := strings.Cut(string(b), " ")
		ns, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", t, err)
		}
		sum += time.Duration(ns)
	}
	return sum, nil
}

// readRSS returns a process's resident set size in bytes.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}

// --- direct POSTs ----------------------------------------------------------

type directClient struct {
	url    string
	client *http.Client
}

func newDirect(baseURL string) *directClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	return &directClient{url: baseURL + "/agents",
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (d *directClient) post(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, strings.NewReader(createArgs))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", benchKey)
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("direct POST: status %d", resp.StatusCode)
	}
	return nil
}

// --- streamable HTTP -------------------------------------------------------

// httpServer is a contender serving streamable HTTP.
type httpServer struct {
	cmd *exec.Cmd
	url string
}

func startHTTP(s *serverSpec) (*httpServer, error) {
	logPath := filepath.Join(s.tmp, s.name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(s.bin, "--transport", "http", "--addr", "127.0.0.1:0")
	cmd.Env = s.env
	cmd.Stderr = logFile // written by the child, not copied by us
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	for range 200 {
		time.Sleep(25 * time.Millisecond)
		b, _ := os.ReadFile(logPath)
		for line := range strings.Lines(string(b)) {
			var m struct {
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &m) == nil && m.Addr != "" {
				return &httpServer{cmd: cmd, url: "http://" + m.Addr + "/mcp"}, nil
			}
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, fmt.Errorf("%s printed no address", s.name)
}

func (h *httpServer) stop() {
	h.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		h.cmd.Process.Kill()
		<-done
	}
}

// mcpSession is one client's streamable HTTP session.
type mcpSession struct {
	url    string
	client *http.Client
	id     string
	nextID int
}

func openSession(ctx context.Context, url string, client *http.Client) (*mcpSession, error) {
	s := &mcpSession{url: url, client: client}
	if _, err := s.call(ctx, "initialize", `{"protocolVersion":"`+protocolVersion+
		`","capabilities":{},"clientInfo":{"name":"heppubench","version":"0"}}`); err != nil {
		return nil, err
	}
	if s.id == "" {
		return nil, errors.New("initialize returned no Mcp-Session-Id")
	}
	if _, err := s.post(ctx, `{"jsonrpc":"2.0","method":"notifications/initialized"}`); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *mcpSession) post(ctx context.Context, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if s.id != "" {
		req.Header.Set("Mcp-Session-Id", s.id)
		req.Header.Set("Mcp-Protocol-Version", protocolVersion)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if id := resp.Header.Get("Mcp-Session-Id"); id != "" {
		s.id = id
	}
	if resp.StatusCode == http.StatusAccepted {
		resp.Body.Close()
	}
	return resp, nil
}

// call posts a request and reads its answer, as JSON or as an SSE stream.
func (s *mcpSession) call(ctx context.Context, method, params string) (json.RawMessage, error) {
	s.nextID++
	resp, err := s.post(ctx, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`,
		s.nextID, method, params))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		res, _, err := parseResponse(b)
		return res, err
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data:"))
		if !ok {
			continue
		}
		res, id, err := parseResponse(bytes.TrimSpace(data))
		if err != nil {
			return nil, err
		}
		if id == s.nextID {
			return res, nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("no answer to %s in the event stream", method)
}

// load is the outcome of one concurrency run.
type load struct {
	calls   int
	elapsed time.Duration
	lat     []time.Duration
}

// runLoad runs n workers calling op until the deadline.
func runLoad(n int, d time.Duration, op func(worker int) error) (load, error) {
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs []error
		wg   sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range n {
		wg.Go(func() {
			var lat []time.Duration
			for time.Now().Before(deadline) {
				t := time.Now()
				if err := op(w); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return load{}, errs[0]
	}
	return load{calls: len(all), elapsed: time.Since(start), lat: all}, nil
}

func httpConcurrent(servers []*serverSpec, direct *directClient, o options, rep *report) error {
	ctx := context.Background()
	type contender struct {
		name string
		op   func(int) error
		open func(n int) error
	}
	var contenders []contender
	for _, s := range servers {
		h, err := startHTTP(s)
		if err != nil {
			return err
		}
		defer h.stop()
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 256
		client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
		var sessions []*mcpSession
		contenders = append(contenders, contender{
			name: s.name,
			open: func(n int) error {
				for len(sessions) < n {
					sess, err := openSession(ctx, h.url, client)
					if err != nil {
						return fmt.Errorf("%s: %w", s.name, err)
					}
					sessions = append(sessions, sess)
				}
				return nil
			},
			op: func(w int) error {
				res, err := sessions[w].call(ctx, "tools/call",
					`{"name":"create_agent","arguments":`+createArgs+`}`)
				if err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				return checkToolResult(res)
			},
		})
	}
	contenders = append(contenders, contender{
		name: "direct POST",
		open: func(int) error { return nil },
		op:   func(int) error { return direct.post(ctx) },
	})

	rep.http = map[int]map[string]load{}
	for i, n := range o.levels {
		rep.http[n] = map[string]load{}
		for _, c := range contenders {
			if err := c.open(n); err != nil {
				return err
			}
			// A short warm-up so each run starts with open connections.
			if _, err := runLoad(n, o.duration/10, c.op); err != nil {
				return err
			}
		}
		// The duration is cut into slices that take turns, so that a
		// noisy moment on the machine falls on every contender alike.
		for r := range httpSlices {
			for j := range contenders {
				c := contenders[(i+r+j)%len(contenders)]
				l, err := runLoad(n, o.duration/httpSlices, c.op)
				if err != nil {
					return err
				}
				sum := rep.http[n][c.name]
				sum.calls += l.calls
				sum.elapsed += l.elapsed
				sum.lat = append(sum.lat, l.lat...)
				rep.http[n][c.name] = sum
			}
		}
	}
	return nil
}

// httpSlices is how many turns each contender takes at each concurrency.
const httpSlices = 6

// --- report ----------------------------------------------------------------

type report struct {
	opts     options
	cold     map[string][]time.Duration
	stdio    map[string][]time.Duration
	stdioCPU map[string]time.Duration // server CPU over the measured calls
	http     map[int]map[string]load
	rssWarm  []int64 // heppu-mcp, bare
	rssAfter []int64
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1)+0.5)]
}

func mean(d []time.Duration) time.Duration {
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return sum / time.Duration(max(len(d), 1))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/1e6) }

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "## heppu-mcp benchmark\n\n")
	fmt.Fprintf(w, "Machine: %s, %s, %d CPUs, %s. Both servers built as releases are (CGO_ENABLED=0, -trimpath, -ldflags=\"-s -w\"). Emulator: hepputest on loopback, in process.\n\n",
		command("uname", "-m"), cpuModel(), runtime.NumCPU(), command("go", "version"))

	fmt.Fprintf(w, "### Cold start: process start to the tools/list answer (%d runs)\n\n",
		r.opts.cold)
	fmt.Fprintf(w, "| server | median | p90 |\n|---|---|---|\n")
	for _, n := range []string{"heppu-mcp", "bare"} {
		fmt.Fprintf(w, "| %s | %s | %s |\n", n, ms(pct(r.cold[n], .5)), ms(pct(r.cold[n], .9)))
	}

	fmt.Fprintf(w, "\n### Sequential create_agent over stdio (%d calls after %d warm-up)\n\n",
		r.opts.calls, r.opts.warmup)
	fmt.Fprintf(w, "| contender | p50 | p99 | mean | server CPU per call |\n|---|---|---|---|---|\n")
	for _, n := range []string{"heppu-mcp", "bare", "direct POST"} {
		d := r.stdio[n]
		cpu := ""
		if t, ok := r.stdioCPU[n]; ok {
			cpu = fmt.Sprintf("%.1f µs", float64(t)/float64(len(d))/1e3)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", n, ms(pct(d, .5)), ms(pct(d, .99)), ms(mean(d)), cpu)
	}

	fmt.Fprintf(w, "\n### Concurrent create_agent over streamable HTTP (%s per run)\n\n",
		r.opts.duration)
	fmt.Fprintf(w, "| clients | contender | calls/s | p50 | p99 |\n|---|---|---|---|---|\n")
	for _, n := range r.opts.levels {
		for _, c := range []string{"heppu-mcp", "bare", "direct POST"} {
			l := r.http[n][c]
			fmt.Fprintf(w, "| %d | %s | %.0f | %s | %s |\n", n, c,
				float64(l.calls)/l.elapsed.Seconds(), ms(pct(l.lat, .5)), ms(pct(l.lat, .99)))
		}
	}

	fmt.Fprintf(w, "\n### Resident memory (VmRSS)\n\n")
	fmt.Fprintf(w, "| server | after warm-up | after %d calls past warm-up | growth |\n|---|---|---|---|\n",
		r.opts.memCalls)
	growth := make([]float64, 2)
	for i, n := range []string{"heppu-mcp", "bare"} {
		growth[i] = 100 * (float64(r.rssAfter[i])/float64(r.rssWarm[i]) - 1)
		fmt.Fprintf(w, "| %s | %.1f MiB | %.1f MiB | %+.1f%% |\n", n,
			float64(r.rssWarm[i])/(1<<20), float64(r.rssAfter[i])/(1<<20), growth[i])
	}

	fmt.Fprintf(w, "\n### Targets (ratios heppu-mcp / bare from this run)\n\n")
	fmt.Fprintf(w, "| target | measured | limit | verdict |\n|---|---|---|---|\n")
	stdioP50 := ratio(pct(r.stdio["heppu-mcp"], .5), pct(r.stdio["bare"], .5))
	stdioP99 := ratio(pct(r.stdio["heppu-mcp"], .99), pct(r.stdio["bare"], .99))
	fmt.Fprintf(w, "| stdio per-call latency, p50 | %.2fx | ≤ 1.10x | %s |\n", stdioP50,
		verdict(stdioP50 <= 1.1))
	fmt.Fprintf(w, "| stdio per-call latency, p99 (informational) | %.2fx | ≤ 1.10x | %s |\n",
		stdioP99, verdict(stdioP99 <= 1.1))
	cold := ratio(pct(r.cold["heppu-mcp"], .5), pct(r.cold["bare"], .5))
	fmt.Fprintf(w, "| cold start, median | %.2fx | ≤ 1.20x | %s |\n", cold, verdict(cold <= 1.2))
	fmt.Fprintf(w, "| RSS growth over %d calls | %+.1f%% | ≤ +10%% | %s |\n", r.opts.memCalls,
		growth[0], verdict(growth[0] <= 10))
	if h, b := r.http[16]["heppu-mcp"], r.http[16]["bare"]; h.calls > 0 && b.calls > 0 {
		tp := (float64(h.calls) / h.elapsed.Seconds()) / (float64(b.calls) / b.elapsed.Seconds())
		fmt.Fprintf(w, "| streamable HTTP throughput, 16 clients | %.2fx | ≥ 0.90x | %s |\n", tp,
			verdict(tp >= 0.9))
	}
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
