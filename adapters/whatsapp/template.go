package whatsapp

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// templateCommand starts an operator message that sends an approved
// template instead of free text:
//
//	/template NAME
//	/template NAME value 1 | value 2
//
// The values fill the template body's {{1}}, {{2}}, ... in order; "|"
// separates them, so a value cannot contain one.
const templateCommand = "/template"

// maxParamLen is Meta's limit on one body parameter, in characters.
const maxParamLen = 1024

// templateCall is a parsed /template message.
type templateCall struct {
	Name   string
	Values []string
}

// parseTemplateCall reads an operator's text. ok is false for ordinary text;
// for a /template message without a name it is true with an error. It is
// pure and never panics.
func parseTemplateCall(text string) (call templateCall, ok bool, err error) {
	text = strings.TrimSpace(text)
	rest, found := strings.CutPrefix(text, templateCommand)
	if !found || (rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '\n') {
		return templateCall{}, false, nil
	}
	rest = strings.TrimSpace(rest)
	name, values, _ := strings.Cut(rest, " ")
	if i := strings.IndexAny(name, "\t\n"); i >= 0 {
		name, values = name[:i], name[i:]+" "+values
	}
	if name == "" {
		return templateCall{}, true, fmt.Errorf("name the template: %s NAME value 1 | value 2", templateCommand)
	}
	call.Name = name
	if values = strings.TrimSpace(values); values != "" {
		for _, v := range strings.Split(values, "|") {
			call.Values = append(call.Values, strings.TrimSpace(v))
		}
	}
	return call, true, nil
}

// resolve matches call against the configured templates and checks its
// values as Meta would, so a refusal comes before anything is queued. The
// error is a *core.CapabilityError whose reason is shown to the operator.
func (call templateCall) resolve(channel string, templates []Template) (Template, error) {
	refuse := func(format string, args ...any) error {
		return &core.CapabilityError{Channel: channel, Capability: "template", Reason: fmt.Sprintf(format, args...)}
	}
	var t *Template
	for i := range templates {
		if templates[i].Name == call.Name {
			t = &templates[i]
		}
	}
	if t == nil {
		if len(templates) == 0 {
			return Template{}, refuse("WhatsApp template %q is not configured: this channel has no approved templates", call.Name)
		}
		return Template{}, refuse("WhatsApp template %q is not configured; this channel has %s", call.Name, templateNames(templates))
	}
	if len(call.Values) != len(t.Parameters) {
		return Template{}, refuse("WhatsApp template %s takes %s; got %d", t.Name, parameterList(t.Parameters), len(call.Values))
	}
	for i, v := range call.Values {
		switch {
		case v == "":
			return Template{}, refuse("WhatsApp template %s: %s (value %d) is empty", t.Name, t.Parameters[i], i+1)
		case strings.ContainsAny(v, "\n\t") || strings.Contains(v, "     "):
			return Template{}, refuse("WhatsApp template %s: %s (value %d) may not contain line breaks, tabs or more than 4 spaces in a row", t.Name, t.Parameters[i], i+1)
		case utf8.RuneCountInString(v) > maxParamLen:
			return Template{}, refuse("WhatsApp template %s: %s (value %d) is longer than %d characters", t.Name, t.Parameters[i], i+1, maxParamLen)
		}
	}
	return *t, nil
}

func templateNames(ts []Template) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

func parameterList(params []string) string {
	switch len(params) {
	case 0:
		return "no parameters"
	case 1:
		return "1 parameter (" + params[0] + ")"
	}
	return fmt.Sprintf("%d parameters (%s)", len(params), strings.Join(params, ", "))
}
