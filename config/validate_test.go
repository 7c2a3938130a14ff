package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/config"
)

const goodSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" // 24 bytes

func TestValidate_reports_bad_values(t *testing.T) {
	tests := []struct{ name, yaml, path, fragment string }{
		{"listen without port", "listen: localhost\n" + minimal, "listen", "is not host:port"},
		{"listen bad port", "listen: :99999\n" + minimal, "listen", "no valid port"},
		{"public_url relative", "public_url: hub.example.com\n" + minimal, "public_url", "absolute http:// or https://"},
		{"public_url with query", "public_url: https://hub.example.com/?a=1\n" + minimal, "public_url", "base URL"},
		{"data_dir empty", "data_dir: ''\n" + minimal, "data_dir", "required"},
		{"store driver", "store: {driver: mysql}\n" + minimal, "store.driver", `"mysql" is not one of sqlite, postgres`},
		{"postgres needs dsn", "store: {driver: postgres}\n" + minimal, "store.dsn", "required when store.driver is postgres"},
		{"bus driver", "bus: {driver: kafka}\n" + minimal, "bus.driver", `"kafka" is not one of memory, nats`},
		{"nats needs url", "bus: {driver: nats}\n" + minimal, "bus.url", "required when bus.driver is nats"},
		{"log level", "log: {level: verbose}\n" + minimal, "log.level", "is not one of debug, info, warn, error"},
		{"log format", "log: {format: xml}\n" + minimal, "log.format", "is not one of text, json"},
		{"negative auto resolve", "conversations: {auto_resolve_after: -1h}\n" + minimal, "conversations.auto_resolve_after", "must not be negative"},
		{"zero live timeout", "conversations: {live_timeout: 0s}\n" + minimal, "conversations.live_timeout", "must be positive"},
		{"negative slots", "conversations: {default_slots: -1}\n" + minimal, "conversations.default_slots", "must not be negative"},
		{"channel name missing", "channels:\n  - type: webhook\n", "channels[0].name", "required"},
		{"channel name upper case", "channels:\n  - {name: CRM, type: webhook}\n", "channels[0].name", "1 to 32 characters of a-z"},
		{"channel name with dot", "channels:\n  - {name: a.b, type: webhook}\n", "channels[0].name", "1 to 32 characters"},
		{"channel name too long", "channels:\n  - {name: " + strings.Repeat("a", 33) + ", type: webhook}\n", "channels[0].name", "1 to 32 characters"},
		{"channel name unique", "channels:\n  - {name: crm, type: webhook}\n  - {name: crm, type: sms}\n", "channels[1].name", `must be unique ("crm" is used by channels[0])`},
		{"channel type missing", "channels:\n  - {name: crm}\n", "channels[0].type", "required (webchat, email, telegram, whatsapp, sms, messenger, webhook)"},
		{"channel type unknown", "channels:\n  - {name: crm, type: fax}\n", "channels[0].type", `"fax" is not one of webchat`},
		{"channel type typo", "channels:\n  - {name: crm, type: telegrm}\n", "channels[0].type", `(did you mean "telegram"?)`},
		{"path relative", "channels:\n  - {name: crm, type: webhook, path: hooks/crm}\n", "channels[0].path", "must start with /"},
		{"path root", "channels:\n  - {name: crm, type: webhook, path: /}\n", "channels[0].path", `must not be "/"`},
		{"path unclean", "channels:\n  - {name: crm, type: webhook, path: /hooks/crm/}\n", "channels[0].path", `try "/hooks/crm"`},
		{"path unique with a default", "channels:\n  - {name: crm, type: webhook}\n  - {name: b, type: webhook, path: /webhooks/crm}\n",
			"channels[1].path", `must be unique ("/webhooks/crm" is used by channels[0])`},
		{"event url missing", minimal + "events:\n  - {secret: " + goodSecret + ", types: ['*']}\n", "events[0].url", "required"},
		{"event url relative", minimal + "events:\n  - {url: /hooks, secret: " + goodSecret + ", types: ['*']}\n", "events[0].url", "absolute"},
		{"event secret missing", minimal + "events:\n  - {url: https://x.example, types: ['*']}\n", "events[0].secret", "required"},
		{"event secret prefix", minimal + "events:\n  - {url: https://x.example, secret: abc, types: ['*']}\n", "events[0].secret", `must start with "whsec_"`},
		{"event secret base64", minimal + "events:\n  - {url: https://x.example, secret: whsec_!!!, types: ['*']}\n", "events[0].secret", "standard base64"},
		{"event secret short", minimal + "events:\n  - {url: https://x.example, secret: whsec_c2hvcnQ=, types: ['*']}\n", "events[0].secret", "key is 5 bytes; use at least 24"},
		{"event types missing", minimal + "events:\n  - {url: https://x.example, secret: " + goodSecret + "}\n", "events[0].types", "required"},
		{"event type unknown", minimal + "events:\n  - {url: https://x.example, secret: " + goodSecret + ", types: [message.created, message.deleted]}\n",
			"events[0].types[1]", `"message.deleted" is not one of *, message.created`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := problemsOf(t, writeConfig(t, tt.yaml), nil)
			if !hasProblem(ps, tt.path, tt.fragment) {
				t.Errorf("got %v, want %s: ...%s...", ps, tt.path, tt.fragment)
			}
		})
	}
}

func TestValidate_duplicate_name_is_one_problem(t *testing.T) {
	ps := problemsOf(t, writeConfig(t, "channels:\n  - {name: crm, type: webhook}\n  - {name: crm, type: sms}\n"), nil)
	if len(ps) != 1 || ps[0].Path != "channels[1].name" {
		t.Errorf("got %v, want only channels[1].name (its default path clashes as a consequence)", ps)
	}
}

func TestValidate_accepts_good_values(t *testing.T) {
	c, err := config.Load(writeConfig(t, `
listen: ":0"
public_url: https://example.com/switchboard/
store: {driver: postgres, dsn: "postgres://db/sb"}
bus: {driver: nats, url: "nats://127.0.0.1:4222"}
log: {level: error, format: json}
conversations: {auto_resolve_after: 0s}
channels:
  - {name: web_1, type: webchat}
  - {name: sms-eu, type: sms, group: eu, path: /twilio/eu}
events:
  - url: https://crm.example.com/hooks?token=abc
    secret: `+strings.TrimRight(goodSecret, "=")+`
    types: ["*", contact.erased]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "https://example.com/switchboard" {
		t.Errorf("public_url = %q, want the trailing slash dropped", c.PublicURL)
	}
}

func TestValidate_never_quotes_a_secret(t *testing.T) {
	secret := "whsec_c2VjcmV0LXNob3J0"
	ps := problemsOf(t, writeConfig(t, minimal+"events:\n  - {url: https://x.example, secret: "+secret+", types: ['*']}\n"), nil)
	for _, p := range ps {
		if strings.Contains(p.String(), "c2VjcmV0") {
			t.Errorf("problem quotes the secret: %s", p)
		}
	}
}

func TestValidate_runs_channel_decoders(t *testing.T) {
	path := writeConfig(t, `
channels:
  - {name: crm, type: webhook, secrett: x}
  - {name: support, type: sms}
  - {name: bot, type: telegram}
  - {name: fax, type: fax}
  - {name: custom, type: matrix}
`)
	_, err := config.Load(path, nil)
	var ps config.Problems
	if !errors.As(err, &ps) || len(ps) != 2 || ps[0].Path != "channels[3].type" || ps[1].Path != "channels[4].type" {
		t.Fatalf("Load: got %v, want only the two unknown types (adapter keys unchecked)", err)
	}
	decoders := map[string]config.ChannelDecoder{
		"webhook": func(ch config.Channel) error { return ch.Decode(&hookConfig{}) },
		"sms":     func(ch config.Channel) error { return fmt.Errorf("from: required") },
		"matrix":  func(ch config.Channel) error { return nil },
	}
	ps, err = config.Check(path, nil, decoders)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`channels[0].secrett (line 3): unknown key "secrett" (did you mean "secret"?)`,
		`channels[1] (line 4): from: required`,
		`channels[2].type (line 5): channel type "telegram" is not available in this build`,
		`channels[3].type (line 6): "fax" is not one of webchat, email, telegram, whatsapp, sms, messenger, webhook`,
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems %v, want %d", len(ps), ps, len(want))
	}
	for i := range want {
		if ps[i].String() != want[i] {
			t.Errorf("problem %d = %s, want %s", i, ps[i], want[i])
		}
	}
}

func TestCheck_reports_decoding_and_adapter_problems_together(t *testing.T) {
	ps, err := config.Check(writeConfig(t, "listn: x\nchannels:\n  - {name: crm, type: webhook, secrett: x}\n"), nil,
		map[string]config.ChannelDecoder{"webhook": func(ch config.Channel) error { return ch.Decode(&hookConfig{}) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Path != "listn" || ps[1].Path != "channels[0].secrett" {
		t.Errorf("got %v, want listn then channels[0].secrett", ps)
	}
}

func TestCheck_drops_problems_caused_by_a_decoding_problem(t *testing.T) {
	ps, err := config.Check(writeConfig(t, "channels:\n  - {name: 7, type: webhook}\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].String() != "channels[0].name (line 2): must be a string, not 7" {
		t.Errorf("got %v, want only the type problem", ps)
	}
}

func TestCheck_unreadable_file_is_an_error(t *testing.T) {
	if _, err := config.Check("/nonexistent/switchboard.yaml", nil, nil); err == nil {
		t.Error("Check of a missing file succeeded")
	}
}

func TestValidate_hand_made_config(t *testing.T) {
	c := config.Default()
	c.Channels = append(c.Channels, config.Channel{Name: "webhook", Type: "webhook", Path: "/x"})
	ps := c.Validate(nil)
	if len(ps) != 1 || ps[0].String() != `channels[2].name: must be unique ("webhook" is used by channels[0])` {
		t.Errorf("got %v", ps)
	}
}

func TestProblems_Error_lists_every_problem(t *testing.T) {
	ps := config.Problems{{Path: "listen", Message: "required"}, {Path: "bus.url", Message: "required", Line: 4}}
	want := "2 problems:\n\tlisten: required\n\tbus.url (line 4): required"
	if ps.Error() != want {
		t.Errorf("got %q, want %q", ps.Error(), want)
	}
	if one := ps[:1].Error(); one != "listen: required" {
		t.Errorf("one problem: got %q", one)
	}
}
