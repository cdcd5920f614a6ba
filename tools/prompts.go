package tools

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// promptDef is a prompt that guides the model through designing and
// creating an agent of one type.
type promptDef struct {
	name        string
	title       string
	description string
	agentType   heppu.AgentType
	// intro opens the message; steps follow what the user has given.
	intro string
	steps func() string
	args  []promptArg
}

// promptArg is a prompt argument; label names its value in the message.
type promptArg struct {
	name        string
	label       string
	description string
	required    bool
}

const designVoiceDescription = `Design and create a Heppu voice agent, one that answers phone calls: gather what is missing, check for an existing agent, draft its instructions, choose its voice settings and tools, show the plan, then create it.`

const designChatDescription = `Design and create a Heppu chat agent, a widget on a website: gather what is missing, check for an existing agent, draft its instructions, choose the widget's look, domains and tools, show the plan, then create it.`

const (
	purposeDescription = "What the agent is for, such as \"book tables for our restaurant\" " +
		"or \"answer questions about orders and returns\"."
	audienceDescription = "Who the agent talks with, such as existing customers, patients " +
		"or job applicants."
	toneDescription = "How the agent should sound, such as friendly, professional or calm; " +
		"any tone will do."
	languageDescription = "The language the agent speaks, such as English or Finnish."
	domainsDescription  = "The website's domain or domains that will show the widget, " +
		"comma-separated, such as example.com, shop.example.com."
)

const voiceSteps = `Work through these steps:

1. Gather what is still missing. Ask me short, concrete questions, a few at a time, about what you need and cannot infer: who calls and why, what the agent must handle and must never do or promise, the facts it needs (opening hours, prices, policies), when and how it should hand a call over to a person, and the language it speaks. Do not ask about what I have already given.
2. Look before you create: call list_agents with type voice and check whether an agent with the same purpose already exists. If one does, show it to me (get_agent shows it in full) and ask whether to change it with update_agent instead of creating another.
3. Draft the agent's full instructions (its system prompt), addressed to the agent: its role and goal, who it speaks with, its tone, what it handles and how, what it must not do or promise, and how it ends or hands over a call. Write for the ear: short sentences, no lists or markdown, and numbers, times and addresses the way people say them.
4. Choose the settings, only from these documented values (the heppu://catalog resource lists them too):
   - model: {voiceModels}
   - config.voice: {voices}
   - config.speed: {speed}; 1.0 is normal speed
   - config.interruptionThreshold: {interruptionThreshold}; how easily the caller can interrupt the agent
   - config.timeout: the call timeout in seconds, {timeout}
   Put no other keys in config, and leave out what the defaults already cover.
5. Propose the tools the agent needs, only those its purpose calls for, as toolIds from the documented IDs: {toolIds}. My organization may have other tools; Heppu silently drops IDs it does not have.
6. Show me the plan: the name ({name}), model, config, toolIds and the full instructions. You may call create_agent with dryRun: true to check the exact request. Wait for my approval and apply my changes.
7. When I approve, call create_agent once, with type voice and the approved settings, and tell me the new agent's id. If the outcome is unknown, call list_agents before creating again.`

const chatSteps = `Work through these steps:

1. Gather what is still missing. Ask me short, concrete questions, a few at a time, about what you need and cannot infer: who visits the site and what they ask, what the agent must handle and must never do or promise, the facts it needs (products, prices, policies), where it should send people who need a person, the language it answers in, the website's domains, and how the widget should look. Do not ask about what I have already given.
2. Look before you create: call list_agents with type chat and check whether an agent with the same purpose already exists. If one does, show it to me (get_agent shows it in full) and ask whether to change it with update_agent instead of creating another.
3. Draft the agent's full instructions (its system prompt), addressed to the agent: its role and goal, who it talks with, its tone, what it handles and how, what it must not do or promise, and where it sends people it cannot help. Write for a chat window: short paragraphs, plain words, lists only where they help.
4. Choose the settings, only from these documented values (the heppu://catalog resource lists them too):
   - model: {chatModels}
   - config.theme: {themes}
   - config.primaryColor: a hex colour such as #3B82F6, ideally the site's brand colour
   - config.position: {positions}
   - config.greeting: the first message the widget shows
   - config.placeholder: the placeholder text of the message input
   - config.allowedDomains: the website's host names, such as example.com, without scheme, path or port; add the www. name too if the site uses it. Left empty, any site may embed the widget, so set it.
   Put no other keys in config, and leave out what the defaults already cover.
5. Propose the tools the agent needs, only those its purpose calls for, as toolIds from the documented IDs: {toolIds}. My organization may have other tools; Heppu silently drops IDs it does not have.
6. Show me the plan: the name ({name}), model, config (with allowedDomains), toolIds and the full instructions. You may call create_agent with dryRun: true to check the exact request. Wait for my approval and apply my changes.
7. When I approve, call create_agent once, with type chat and the approved settings, and tell me the new agent's id. If the outcome is unknown, call list_agents before creating again.`

var (
	purposeArg = promptArg{name: "purpose", label: "Purpose", description: purposeDescription,
		required: true}
	audienceArg = promptArg{name: "audience", label: "Audience", description: audienceDescription}
	toneArg     = promptArg{name: "tone", label: "Tone", description: toneDescription}
	languageArg = promptArg{name: "language", label: "Language", description: languageDescription}
	domainsArg  = promptArg{name: "domains", label: "Website domains", description: domainsDescription}
)

// promptDefs are the prompts, their steps filled in from the catalog once,
// when first shown.
var promptDefs = []*promptDef{
	{
		name:        "design_voice_agent",
		title:       "Design a Heppu voice agent",
		description: designVoiceDescription,
		agentType:   heppu.Voice,
		intro:       "Help me design and create a Heppu voice agent, one that answers phone calls.",
		steps:       fillSteps(voiceSteps),
		args:        []promptArg{purposeArg, audienceArg, toneArg, languageArg},
	},
	{
		name:        "design_chat_agent",
		title:       "Design a Heppu chat agent",
		description: designChatDescription,
		agentType:   heppu.Chat,
		intro:       "Help me design and create a Heppu chat agent, a widget on my website.",
		steps:       fillSteps(chatSteps),
		args:        []promptArg{purposeArg, domainsArg, audienceArg, toneArg, languageArg},
	},
}

// fillSteps returns a function that fills the placeholders of steps with
// the catalog's values, the first time it is called.
func fillSteps(steps string) func() string {
	return sync.OnceValue(func() string { return catalogValues().Replace(steps) })
}

// catalogValues fills the steps' placeholders with the catalog's values.
var catalogValues = sync.OnceValue(func() *strings.Replacer {
	catalogDoc := catalogDoc()
	return strings.NewReplacer(
		"{voiceModels}", withDefault(heppu.VoiceModels, heppu.DefaultModel(heppu.Voice)),
		"{chatModels}", withDefault(heppu.ChatModels, heppu.DefaultModel(heppu.Chat)),
		"{voices}", withDefault(heppu.Voices, heppu.DefaultVoice),
		"{themes}", joinOr(heppu.Themes),
		"{positions}", joinOr(heppu.Positions),
		"{toolIds}", strings.Join(heppu.CommonToolIDs, ", "),
		"{speed}", rangeText(catalogDoc.keyOf(heppu.Voice, "speed")),
		"{interruptionThreshold}", rangeText(catalogDoc.keyOf(heppu.Voice, "interruptionThreshold")),
		"{timeout}", rangeText(catalogDoc.keyOf(heppu.Voice, "timeout")),
		"{name}", fmt.Sprintf("%d to %d characters", catalogDoc.Name.MinLength, catalogDoc.Name.MaxLength),
	)
})

// Prompts returns the prompts, ready for server.MCPServer.AddPrompts:
// design_voice_agent and design_chat_agent, which lead the model from a
// purpose to a created agent.
func (ts *Toolset) Prompts() []server.ServerPrompt {
	out := make([]server.ServerPrompt, 0, len(promptDefs))
	for _, p := range promptDefs {
		out = append(out, server.ServerPrompt{Prompt: p.prompt(), Handler: ts.promptHandler(p)})
	}
	return out
}

func (p *promptDef) prompt() mcp.Prompt {
	opts := []mcp.PromptOption{mcp.WithPromptTitle(p.title), mcp.WithPromptDescription(p.description)}
	for _, a := range p.args {
		argOpts := []mcp.ArgumentOption{
			mcp.ArgumentTitle(a.label), mcp.ArgumentDescription(a.description),
		}
		if a.required {
			argOpts = append(argOpts, mcp.RequiredArgument())
		}
		opts = append(opts, mcp.WithArgument(a.name, argOpts...))
	}
	return mcp.NewPrompt(p.name, opts...)
}

func (ts *Toolset) promptHandler(p *promptDef) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		var res *mcp.GetPromptResult
		err := ts.track(ctx, zerolog.InfoLevel, "prompt", p.name, func(context.Context, *call) error {
			var err error
			res, err = ts.renderPrompt(p, req.Params.Arguments)
			return err
		})
		return res, err
	}
}

// renderPrompt writes p's message with the user's arguments, or says which
// required argument is missing.
func (ts *Toolset) renderPrompt(p *promptDef,
	args map[string]string) (*mcp.GetPromptResult, error) {
	var b strings.Builder
	b.WriteString(p.intro)
	b.WriteString("\n\nWhat I have given so far:\n")
	for _, a := range p.args {
		v := strings.TrimSpace(args[a.name])
		if v == "" && a.required {
			return nil, fmt.Errorf("%s needs the %s argument. %s", p.name, a.name, a.description)
		}
		if v == "" {
			v = "not given yet"
		}
		fmt.Fprintf(&b, "- %s: %s\n", a.label, v)
	}
	b.WriteString("\n")
	b.WriteString(p.steps())
	if ts.sandbox {
		b.WriteString("\n\n")
		b.WriteString(sandboxNotice)
	}

	purpose := strings.TrimSpace(args[purposeArg.name])
	msg := mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(b.String()))
	return mcp.NewGetPromptResult(p.title+": "+purpose, []mcp.PromptMessage{msg}), nil
}

// withDefault joins values as joinOr does, marking def as the default.
func withDefault(values []string, def string) string {
	marked := make([]string, len(values))
	for i, v := range values {
		marked[i] = v
		if v == def {
			marked[i] += " (the default)"
		}
	}
	return joinOr(marked)
}

// rangeText states the range of a numeric config key in words.
func rangeText(k configKey) string {
	switch {
	case k.Minimum != nil && k.Maximum != nil:
		return "from " + decimal(*k.Minimum) + " to " + decimal(*k.Maximum)
	case k.ExclusiveMinimum != nil && *k.ExclusiveMinimum == 0:
		return "a positive number"
	case k.ExclusiveMinimum != nil:
		return "more than " + decimal(*k.ExclusiveMinimum)
	case k.Minimum != nil:
		return "at least " + decimal(*k.Minimum)
	case k.Maximum != nil:
		return "at most " + decimal(*k.Maximum)
	}
	return "any number"
}

// decimal formats f with at least one decimal, as the documentation writes
// the ranges (0.5 to 2.0).
func decimal(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
