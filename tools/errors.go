package tools

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"unicode"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// maxHeppuMessage caps how much of Heppu's own error text reaches the model.
const maxHeppuMessage = 300

// operation describes what a failed call tried, for the error text.
type operation struct {
	// verb completes "Heppu could not ...", such as "create the agent".
	verb string
	// create marks a POST /agents, which must never be repeated blindly:
	// after an ambiguous failure the agent may exist.
	create bool
	// name is the agent's name on a create, to look for with list_agents.
	name string
	// agentID is the agent the call is about, if any.
	agentID string
}

// failure turns an error from the Heppu client into an error result a
// model can act on: what failed, whether anything changed, and what to do.
func failure(c *call, err error, op operation) *mcp.CallToolResult {
	c.outcome = "heppu_error"
	text := failureText(err, op)
	return mcp.NewToolResultError(text)
}

func failureText(err error, op operation) string {
	if errors.Is(err, heppu.ErrNoAPIKey) {
		return noKeyText
	}
	if apiErr, ok := errors.AsType[*heppu.APIError](err); ok {
		return apiErrorText(apiErr, op)
	}
	if tErr, ok := errors.AsType[*heppu.TransportError](err); ok {
		return transportErrorText(tErr, op)
	}
	if rErr, ok := errors.AsType[*heppu.ResponseError](err); ok {
		what := "Heppu answered, but the answer could not be read (" + rErr.Err.Error() + ")."
		if op.create && rErr.StatusCode < 300 {
			return what + " The agent was probably created. " + checkBeforeRetry(op)
		}
		return what + " " + retryHint()
	}
	return fmt.Sprintf("Could not %s: %v.", op.verb, err)
}

func apiErrorText(e *heppu.APIError, op operation) string {
	msg := cleanMessage(e.Message, e.StatusCode)
	head := fmt.Sprintf("Heppu could not %s (HTTP %d: %s).", op.verb, e.StatusCode, msg)
	switch s := e.StatusCode; {
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		return head + " Heppu rejected the request; nothing was changed. " +
			"Change the arguments as the message says and try again."
	case s == http.StatusUnauthorized:
		return fmt.Sprintf("Heppu rejected the API key (HTTP 401: %s); nothing was changed. "+
			"The key comes from the HEPPU_API_KEY environment variable in this server's entry "+
			"of the MCP client's configuration (in Claude Desktop's extension settings when "+
			"installed as a bundle). The user must set a valid key for the organization there "+
			"and restart the server; retrying will not help.", msg)
	case s == http.StatusForbidden:
		return head + " The API key is valid but not allowed to do this; the organization's " +
			"plan or the key's permissions must change. Retrying will not help."
	case s == http.StatusNotFound && op.agentID != "":
		return fmt.Sprintf("There is no agent with id %s in this organization (HTTP 404: %s). "+
			"list_agents shows the ids of the organization's agents.", op.agentID, msg)
	case s == http.StatusNotFound:
		return head + " Nothing was found at that address; list_agents shows the agents."
	case s == http.StatusConflict:
		return head + " The request conflicts with the current state; read the agent again " +
			"and adjust the arguments."
	case s == http.StatusTooManyRequests:
		wait := "Wait a little"
		if e.RetryAfter > 0 {
			wait = fmt.Sprintf("Wait %s", e.RetryAfter)
		}
		return head + " Heppu is rate limiting this organization; nothing was changed. " +
			wait + " before trying again."
	case s >= 500:
		if op.create {
			return head + " The agent may or may not have been created. " + checkBeforeRetry(op)
		}
		return head + " This is a fault on Heppu's side. " + retryHint()
	}
	return head
}

func transportErrorText(e *heppu.TransportError, op operation) string {
	if !e.Sent {
		return fmt.Sprintf("Could not reach Heppu (%s), so nothing was sent and nothing "+
			"changed. Check the network or HEPPU_BASE_URL, then try again.", networkProblem(e))
	}
	what := fmt.Sprintf("Heppu did not answer (%s).", networkProblem(e))
	if e.Timeout() {
		what = "Heppu did not answer in time."
	}
	if op.create {
		return what + " The agent may or may not have been created. " + checkBeforeRetry(op)
	}
	return what + " " + retryHint()
}

// networkProblem names what went wrong on the network in a few words,
// without the addresses and ports of the raw error.
func networkProblem(e *heppu.TransportError) string {
	switch err := e.Err; {
	case e.Timeout():
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "the call was cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed before an answer"
	}
	if dnsErr, ok := errors.AsType[*net.DNSError](e.Err); ok {
		return "host " + dnsErr.Name + " not found"
	}
	return e.Err.Error()
}

// checkBeforeRetry tells the model how to find out whether a create took
// effect before it creates again.
func checkBeforeRetry(op operation) string {
	return fmt.Sprintf("Do not call create_agent again yet: call list_agents and look for "+
		"an agent named %q first, and create it only if it is not there.", op.name)
}

func retryHint() string {
	return "Try again in a moment; if it keeps failing, tell the user Heppu is unavailable."
}

// markup matches an HTML or XML tag.
var markup = regexp.MustCompile(`<[^<>]*>`)

// cleanMessage makes Heppu's error text safe to hand to a model: a whole
// HTML page is dropped for the status text, entities are decoded and then
// tags removed (so an escaped tag cannot come back), control characters
// become spaces, runs of space are folded, and the length is capped.
func cleanMessage(s string, status int) string {
	lower := strings.ToLower(s)
	if strings.Contains(lower, "<html") || strings.Contains(lower, "<!doctype") ||
		strings.Contains(lower, "<body") {
		s = ""
	}
	s = markup.ReplaceAllString(html.UnescapeString(s), " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxHeppuMessage {
		s = string(r[:maxHeppuMessage]) + "…"
	}
	if s == "" {
		s = http.StatusText(status)
	}
	if s == "" {
		s = "no message"
	}
	return s
}
