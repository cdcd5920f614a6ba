package tools

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// idempotencyWindow is how long a create_agent idempotencyKey is remembered.
const idempotencyWindow = 24 * time.Hour

// creates remembers the creates made with an idempotencyKey, so that a
// repeat within the window returns the first agent instead of making a
// second one. Entries are kept per Heppu key (by its hash: the key itself
// is not stored), in memory only: they do not survive a restart.
type creates struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*createEntry
}

// createEntry is one remembered create. done is closed when the first call
// has its answer; until then, repeats wait for it.
type createEntry struct {
	argsHash string
	at       time.Time
	done     chan struct{}
	agent    *heppu.Agent // set before done closes, nil when the create failed
}

func newCreates(now func() time.Time) *creates {
	if now == nil {
		now = time.Now
	}
	return &creates{now: now, entries: map[string]*createEntry{}}
}

// claim looks up idemKey for the Heppu key identity owner. It returns the
// entry and whether this caller owns it: an owner must make the create and
// call finish; others wait on the entry. A different argsHash under the
// same key is reported through conflict.
func (s *creates) claim(owner, idemKey string, body *heppu.CreateAgentRequest) (
	e *createEntry, owned, conflict bool) {
	h := hashBody(body)
	id := owner + "\x00" + idemKey
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, old := range s.entries {
		if now.Sub(old.at) > idempotencyWindow {
			delete(s.entries, k)
		}
	}
	if old, ok := s.entries[id]; ok {
		return old, false, old.argsHash != h
	}
	e = &createEntry{argsHash: h, at: now, done: make(chan struct{})}
	s.entries[id] = e
	return e, true, false
}

// finish records the outcome of an owned entry. A failed create is
// forgotten, so that the same key may be tried again once the model has
// checked whether the agent exists.
func (s *creates) finish(owner, idemKey string, e *createEntry, agent *heppu.Agent) {
	s.mu.Lock()
	e.agent = agent
	if agent == nil {
		delete(s.entries, owner+"\x00"+idemKey)
	}
	s.mu.Unlock()
	close(e.done)
}

// wait blocks until e's first call has its answer or ctx ends.
func (e *createEntry) wait(ctx context.Context) (*heppu.Agent, error) {
	select {
	case <-e.done:
		return e.agent, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// hashBody identifies a create's arguments; encoding a struct is
// deterministic, so equal arguments hash alike.
func hashBody(body *heppu.CreateAgentRequest) string {
	b, _ := json.Marshal(body)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// keyOwner identifies the Heppu key a call uses without keeping the key:
// the request's own key when it brought one, else the configured one.
func keyOwner(ctx context.Context) string {
	key := APIKey(ctx)
	if key == "" {
		return "configured"
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
