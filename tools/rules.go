package tools

import (
	"fmt"
	"slices"
	"strings"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

// typeProblems checks the rules that depend on the agent's type: the model
// must be one of the type's models, and config may hold only the type's
// keys. configKeys are the keys given in config; unknown ones are left to
// the schema.
func typeProblems(t heppu.AgentType, model string, configKeys []string) []schema.Problem {
	var problems []schema.Problem
	if model != "" && !heppu.ValidModel(t, model) {
		problems = append(problems, schema.Problem{
			Path:    "model",
			Keyword: "enum",
			Message: fmt.Sprintf("%q is not a %s model; a %s agent takes: %s",
				model, t, t, strings.Join(heppu.Models(t), ", ")),
			Allowed: heppu.Models(t),
		})
	}
	for _, k := range configKeys {
		if !isConfigKey(k) || slices.Contains(heppu.ConfigKeys(t), k) {
			continue
		}
		problems = append(problems, schema.Problem{
			Path:    "config." + k,
			Keyword: "agentType",
			Message: fmt.Sprintf("is a %s-agent setting; a %s agent's config takes only: %s",
				otherType(t), t, strings.Join(heppu.ConfigKeys(t), ", ")),
			Allowed: heppu.ConfigKeys(t),
		})
	}
	return problems
}

// withTypeProblems adds typeProblems to the schema's problems, replacing
// the schema's model enum problem, which lists the models of both types.
func withTypeProblems(problems []schema.Problem, t heppu.AgentType, model string,
	configKeys []string) []schema.Problem {
	extra := typeProblems(t, model, configKeys)
	for _, p := range extra {
		if p.Path == "model" {
			problems = withoutProblem(problems, "model", "enum")
		}
	}
	return append(problems, extra...)
}

// withoutProblem drops the schema's problems at path with keyword, where a
// rule gives a more precise one.
func withoutProblem(problems []schema.Problem, path, keyword string) []schema.Problem {
	return slices.DeleteFunc(problems, func(p schema.Problem) bool {
		return p.Path == path && p.Keyword == keyword
	})
}

func otherType(t heppu.AgentType) heppu.AgentType {
	if t == heppu.Voice {
		return heppu.Chat
	}
	return heppu.Voice
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// toolIDWarnings warns about each requested tool ID that is not one of the
// documented ones: Heppu drops IDs the organization lacks without a word.
func toolIDWarnings(ids []string) []string {
	var warnings []string
	for _, id := range ids {
		if slices.Contains(heppu.CommonToolIDs, id) {
			continue
		}
		warnings = append(warnings, fmt.Sprintf("toolIds: %q is not a documented tool ID "+
			"(%s). Heppu silently drops IDs the organization does not have, so the agent "+
			"may lack this tool.", id, strings.Join(heppu.CommonToolIDs, ", ")))
	}
	return warnings
}

// domainWarning warns when a chat agent's widget may be embedded anywhere.
func domainWarning(t heppu.AgentType, cfg *heppu.Config) []string {
	if t != heppu.Chat || (cfg != nil && len(cfg.AllowedDomains) > 0) {
		return nil
	}
	return []string{"config.allowedDomains is empty, so any website can embed this " +
		"chat widget. Set allowedDomains to the host names of the user's sites to restrict it."}
}
