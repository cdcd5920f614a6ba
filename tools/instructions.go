package tools

import (
	"strings"

	"github.com/mark3labs/mcp-go/server"
)

// Instructions returns the server instructions sent to the client at
// initialization: what the tools are for and how to use them well, that
// nothing is real in the sandbox, and which tools are served when Select
// left some out.
func (ts *Toolset) Instructions(served []server.ServerTool) string {
	s := instructions
	if ts.sandbox {
		s = sandboxNotice + "\n\n" + s
	}
	if len(served) < len(ts.ServerTools()) {
		var names []string
		for _, st := range served {
			names = append(names, st.Tool.Name)
		}
		s += "\n\nThis server offers only these tools: " + strings.Join(names, ", ") +
			". Say so when the user asks for something the others would do."
	}
	return s
}

const instructions = `heppu-mcp manages the Heppu voice and chat agents of one organization: voice agents answer phone calls, chat agents run as a widget on a website.

- Look before you create: list_agents shows the existing agents (newest first, paged), so an agent is not made twice. get_agent shows one in full.
- create_agent makes a new agent on every call. Before it, gather what the agent is for and write full instructions (its system prompt); ask for a chat agent's website domains so the widget can be restricted to them. If a create failed with an unknown outcome, check list_agents before creating again.
- update_agent changes only what it is given: config keys are merged into the current config, while toolIds and instructions replace the old ones whole.
- delete_agent is soft and reversible: the agent becomes inactive and keeps its data; update_agent with status: active restores it. Confirm with the user which agent is meant first.
- dryRun on create_agent and update_agent shows the exact request without changing anything.`

const sandboxNotice = `SANDBOX MODE: this server talks to a built-in emulation of the Heppu API, not to Heppu. Agents created here are not real, make no calls, and vanish when the server stops. Tell the user so whenever you report a result.`
