package tools

// Instructions returns the server instructions sent to the client at
// initialization: what the tools are for and how to use them well.
func Instructions(sandbox bool) string {
	s := instructions
	if sandbox {
		s = sandboxNotice + "\n\n" + s
	}
	return s
}

const instructions = `heppu-mcp manages the Heppu voice and chat agents of one organization: voice agents answer phone calls, chat agents run as a widget on a website.

Use create_agent to create one. Before creating, gather what the agent is for and write full instructions (its system prompt); ask the user for a chat agent's website domains so the widget can be restricted to them. Each create_agent call makes a new agent: if an earlier create failed with an unknown outcome, check whether the agent exists before creating it again. Use dryRun to show the user the exact request first when they want to review it.`

const sandboxNotice = `SANDBOX MODE: this server talks to a built-in emulation of the Heppu API, not to Heppu. Agents created here are not real, make no calls, and vanish when the server stops. Tell the user so whenever you report a result.`
