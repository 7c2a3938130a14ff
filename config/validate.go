package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// channelTypes are the channel adapters Switchboard knows, whether or not a
// given binary is built with all of them.
var channelTypes = []string{"webchat", "email", "telegram", "whatsapp", "sms", "messenger", "webhook"}

// eventTypes are the event types external webhooks may subscribe to; "*"
// subscribes to all of them.
var eventTypes = []string{
	string(core.EventMessageCreated),
	string(core.EventMessageStatusChanged),
	string(core.EventMessageUpdated),
	string(core.EventConversationCreated),
	string(core.EventConversationStatusChanged),
	string(core.EventConversationAssigned),
	string(core.EventConversationUpdated),
	string(core.EventContactUpdated),
	string(core.EventContactErased),
}

var channelName = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// minSecretBytes is the shortest event webhook key accepted: Standard
// Webhooks asks for 24 to 64 random bytes, and the webhook adapter that
// signs the events refuses less.
const minSecretBytes = 24

// Validate checks c and returns every problem found, in file order; none
// means c is good. It checks the keys this package knows: addresses and URLs,
// drivers and what each needs, channel names, types and paths (unique), and
// event subscriptions.
//
// With decoders it also runs, for each channel, the decoder registered for
// its type, so adapter keys are checked too; a channel type with no decoder
// is reported as not available in this build. With nil decoders channel types
// are checked against the built-in list: webchat, email, telegram, whatsapp,
// sms, messenger, webhook.
func (c *Config) Validate(decoders map[string]ChannelDecoder) Problems {
	var ps Problems
	add := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}

	if msg := checkHostPort(c.Listen); msg != "" {
		add("listen", "%s", msg)
	}
	if c.PublicURL != "" {
		if msg := checkBaseURL(c.PublicURL); msg != "" {
			add("public_url", "%s", msg)
		}
	}
	if c.DataDir == "" {
		add("data_dir", "required")
	}
	switch c.Store.Driver {
	case "sqlite":
	case "postgres":
		if c.Store.DSN == "" {
			add("store.dsn", "required when store.driver is postgres")
		}
	default:
		add("store.driver", "%s", oneOf(c.Store.Driver, "sqlite", "postgres"))
	}
	switch c.Bus.Driver {
	case "memory":
	case "nats":
		if c.Bus.URL == "" {
			add("bus.url", "required when bus.driver is nats")
		}
	default:
		add("bus.driver", "%s", oneOf(c.Bus.Driver, "memory", "nats"))
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		add("log.level", "%s", oneOf(c.Log.Level, "debug", "info", "warn", "error"))
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		add("log.format", "%s", oneOf(c.Log.Format, "text", "json"))
	}
	if c.Conversations.AutoResolveAfter < 0 {
		add("conversations.auto_resolve_after", "must not be negative (0 turns auto-resolving off)")
	}
	if c.Conversations.LiveTimeout <= 0 {
		add("conversations.live_timeout", "must be positive")
	}
	if c.Conversations.DefaultSlots < 0 {
		add("conversations.default_slots", "must not be negative")
	}

	ps = append(ps, c.validateChannels(decoders)...)
	for i, e := range c.Events {
		ps = append(ps, validateEvent(fmt.Sprintf("events[%d]", i), e)...)
	}
	return c.annotate(ps)
}

func (c *Config) validateChannels(decoders map[string]ChannelDecoder) Problems {
	var ps Problems
	add := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	names := map[string]string{} // name -> key path of its first use
	paths := map[string]string{}
	for i, ch := range c.Channels {
		key := fmt.Sprintf("channels[%d]", i)
		dupName := false
		switch {
		case ch.Name == "":
			add(key+".name", "required")
		case !channelName.MatchString(ch.Name):
			add(key+".name", "%q must be 1 to 32 characters of a-z, 0-9, _ and -", ch.Name)
		case names[ch.Name] != "":
			add(key+".name", "must be unique (%q is used by %s)", ch.Name, names[ch.Name])
			dupName = true
		default:
			names[ch.Name] = key
		}

		if ch.Path != "" {
			if msg := checkURLPath(ch.Path); msg != "" {
				add(key+".path", "%s", msg)
			} else if first := paths[ch.Path]; first == "" {
				paths[ch.Path] = key
			} else if !dupName { // a duplicate name explains clashing default paths
				add(key+".path", "must be unique (%q is used by %s)", ch.Path, first)
			}
		}

		decode, built := decoders[ch.Type]
		switch {
		case ch.Type == "":
			add(key+".type", "required (%s)", strings.Join(channelTypes, ", "))
			continue
		case !slices.Contains(channelTypes, ch.Type) && !built:
			add(key+".type", "%s", oneOf(ch.Type, channelTypes...))
			continue
		case decoders != nil && !built:
			add(key+".type", "channel type %q is not available in this build", ch.Type)
			continue
		case decoders == nil:
			continue
		}
		ch.key = key
		ch.lines = c.lines
		if err := decode(ch); err != nil {
			var dps Problems
			if errors.As(err, &dps) {
				ps = append(ps, dps...)
			} else {
				add(key, "%v", err)
			}
		}
	}
	return ps
}

func validateEvent(key string, e EventSubscription) Problems {
	var ps Problems
	add := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if e.URL == "" {
		add(key+".url", "required")
	} else if msg := checkHTTPURL(e.URL); msg != "" {
		add(key+".url", "%s", msg)
	}
	if msg := checkWebhookSecret(e.Secret); msg != "" {
		add(key+".secret", "%s", msg)
	}
	if len(e.Types) == 0 {
		add(key+".types", `required: list the event types, or ["*"] for all`)
	}
	for j, t := range e.Types {
		if t != "*" && !slices.Contains(eventTypes, t) {
			add(fmt.Sprintf("%s.types[%d]", key, j), "%s", oneOf(t, append([]string{"*"}, eventTypes...)...))
		}
	}
	return ps
}

func oneOf(got string, want ...string) string {
	if got == "" {
		return "required (" + strings.Join(want, ", ") + ")"
	}
	msg := fmt.Sprintf("%q is not one of %s", got, strings.Join(want, ", "))
	if s := closest(got, want); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

func checkHostPort(s string) string {
	if s == "" {
		return "required (host:port, such as 127.0.0.1:8080)"
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Sprintf("%q is not host:port (such as 127.0.0.1:8080 or :8080)", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Sprintf("%q has no valid port (0 to 65535)", s)
	}
	return ""
}

// checkHTTPURL checks an absolute http(s) URL, quoting it without any
// password it may carry.
func checkHTTPURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "is not a valid URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q must be an absolute http:// or https:// URL", u.Redacted())
	case u.Host == "":
		return fmt.Sprintf("%q has no host", u.Redacted())
	case u.Fragment != "":
		return fmt.Sprintf("%q must not have a #fragment", u.Redacted())
	}
	return ""
}

// checkBaseURL checks a URL that paths are appended to.
func checkBaseURL(s string) string {
	if msg := checkHTTPURL(s); msg != "" {
		return msg
	}
	u, _ := url.Parse(s)
	if u.User != nil || u.RawQuery != "" {
		return fmt.Sprintf("%q must be a base URL, without user name, password or query", u.Redacted())
	}
	return ""
}

func checkURLPath(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Sprintf("%q must start with /", p)
	case p == "/":
		return `must not be "/" (the inbox is served there)`
	case strings.ContainsAny(p, "?# \t"):
		return fmt.Sprintf("%q must be a plain path, without query, fragment or spaces", p)
	case path.Clean(p) != p:
		return fmt.Sprintf("%q is not a clean path (try %q)", p, path.Clean(p))
	}
	return ""
}

// checkWebhookSecret checks a Standard Webhooks secret without ever quoting
// it: "whsec_" followed by the standard base64 of the key, padding optional.
func checkWebhookSecret(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "required (whsec_ followed by a base64 key; try: echo whsec_$(openssl rand -base64 32))"
	}
	b64, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return `must start with "whsec_" (a Standard Webhooks secret)`
	}
	key, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
	if err != nil {
		return `must be "whsec_" followed by standard base64`
	}
	if len(key) < minSecretBytes {
		return fmt.Sprintf("key is %d bytes; use at least %d random bytes", len(key), minSecretBytes)
	}
	return ""
}
