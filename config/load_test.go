package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/config"
)

// writeConfig writes a YAML file into a temp dir and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "switchboard.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// problemsOf returns the problems Load reports, failing on any other error.
func problemsOf(t *testing.T, path string, env []string) config.Problems {
	t.Helper()
	c, err := config.Load(path, env)
	if err == nil {
		t.Fatalf("Load succeeded, want problems")
	}
	if c != nil {
		t.Errorf("Load returned a config beside the error")
	}
	var ps config.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load error %v (%T) holds no Problems", err, err)
	}
	return ps
}

func hasProblem(ps config.Problems, path, fragment string) bool {
	for _, p := range ps {
		if p.Path == path && strings.Contains(p.Message, fragment) {
			return true
		}
	}
	return false
}

const minimal = `
channels:
  - name: crm
    type: webhook
`

func TestLoad_embedded_default(t *testing.T) {
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Embedded() {
		t.Error("Embedded() = false, want true")
	}
	if c.Listen != "127.0.0.1:8080" || c.DataDir != "./switchboard-data" ||
		c.Store.Driver != "sqlite" || c.Bus.Driver != "memory" {
		t.Errorf("got %+v, want the documented defaults", c)
	}
	if len(c.Channels) != 2 {
		t.Fatalf("got %d channels, want 2", len(c.Channels))
	}
	ch := c.Channels[0]
	if ch.Name != "webhook" || ch.Type != "webhook" || ch.Path != "/webhooks/webhook" {
		t.Errorf("got channel %+v, want webhook/webhook at /webhooks/webhook", ch)
	}
	if demo := c.Channels[1]; demo.Name != "demo" || demo.Type != "webchat" {
		t.Errorf("got channel %+v, want the demo web chat", demo)
	}
	for _, ch := range c.Channels {
		if _, ok := ch.Raw["secret"]; ok {
			t.Errorf("default channel %s has a secret; the composition root makes it", ch.Name)
		}
	}
	if d := config.Default(); !d.Embedded() || len(d.Channels) != 2 {
		t.Errorf("Default() = %+v, want the embedded default", d)
	}
}

func TestLoad_defaults_fill_absent_keys(t *testing.T) {
	c, err := config.Load(writeConfig(t, minimal), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedded() {
		t.Error("Embedded() = true for a file")
	}
	want := config.ConversationsConfig{AutoResolveAfter: 720 * time.Hour, LiveTimeout: 15 * time.Minute, DefaultSlots: 3}
	if c.Conversations != want {
		t.Errorf("conversations = %+v, want %+v", c.Conversations, want)
	}
	if c.Log != (config.LogConfig{Level: "info", Format: "text"}) {
		t.Errorf("log = %+v, want info/text", c.Log)
	}
	if c.Listen != config.DefaultListen {
		t.Errorf("listen = %q, want %q", c.Listen, config.DefaultListen)
	}
}

func TestLoad_unknown_key_names_the_key(t *testing.T) {
	tests := []struct {
		name, yaml, path, message string
		line                      int
	}{
		{"top level", "listn: :80\n" + minimal, "listn", `unknown key "listn" (did you mean "listen"?)`, 1},
		{"nested", "store:\n  driver: sqlite\n  dns: x\n" + minimal, "store.dns", `unknown key "dns" (did you mean "dsn"?)`, 3},
		{"capabilities", minimal + "    capabilities:\n      atachments: [image/png]\n",
			"channels[0].capabilities.atachments", `unknown key "atachments" (did you mean "attachments"?)`, 6},
		{"event", minimal + "events:\n  - url: https://x.example\n    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n    types: ['*']\n    retries: 3\n",
			"events[0].retries", `unknown key "retries"`, 9},
		{"far from any key", "frobnicate: 1\n" + minimal, "frobnicate", `unknown key "frobnicate"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := problemsOf(t, writeConfig(t, tt.yaml), nil)
			if len(ps) != 1 {
				t.Fatalf("got %d problems %v, want 1", len(ps), ps)
			}
			p := ps[0]
			if p.Path != tt.path || p.Message != tt.message || p.Line != tt.line {
				t.Errorf("got %q %q line %d, want %q %q line %d", p.Path, p.Message, p.Line, tt.path, tt.message, tt.line)
			}
		})
	}
}

func TestLoad_error_names_file_and_key(t *testing.T) {
	path := writeConfig(t, "listn: :80\n"+minimal)
	_, err := config.Load(path, nil)
	want := path + `: listn (line 1): unknown key "listn" (did you mean "listen"?)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want it to contain %q", err, want)
	}
}

func TestLoad_wrong_type_names_the_key(t *testing.T) {
	tests := []struct{ name, yaml, path, fragment string }{
		{"string wanted", "listen: 8080\n" + minimal, "listen", "must be a string, not 8080"},
		{"bool is not weakly typed", minimal + "    capabilities: {voice: \"yes\"}\n", "channels[0].capabilities.voice", `must be true or false, not "yes"`},
		{"mapping wanted", "store: sqlite\n" + minimal, "store", "must be a mapping"},
		{"list wanted", "channels: {name: crm}\n", "channels", "must be a list"},
		{"bad duration", "conversations: {live_timeout: 15x}\n" + minimal, "conversations.live_timeout", `"15x" is not a duration`},
		{"bare number is no duration", "conversations: {live_timeout: 900}\n" + minimal, "conversations.live_timeout", "has no unit"},
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

func TestLoad_collects_all_problems(t *testing.T) {
	ps := problemsOf(t, writeConfig(t, `
listen: nowhere
lisen: x
store: {driver: mysql}
channels:
  - name: CRM
    type: fax
  - name: ok
    type: webhook
    capabilities: {voise: true}
`), nil)
	for _, want := range []string{"listen", "lisen", "store.driver", "channels[0].name", "channels[0].type", "channels[1].capabilities.voise"} {
		if !slices.ContainsFunc(ps, func(p config.Problem) bool { return p.Path == want }) {
			t.Errorf("no problem at %s in %v", want, ps)
		}
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Line < ps[i-1].Line {
			t.Errorf("problems not in file order: %v", ps)
		}
	}
}

func TestLoad_durations_parse(t *testing.T) {
	c, err := config.Load(writeConfig(t, "conversations:\n  auto_resolve_after: 30d\n  live_timeout: 90s\n  default_slots: 0\n"+minimal), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.ConversationsConfig{AutoResolveAfter: 720 * time.Hour, LiveTimeout: 90 * time.Second}
	if c.Conversations != want {
		t.Errorf("got %+v, want %+v", c.Conversations, want)
	}
}

func TestLoad_env_overrides_absent_key(t *testing.T) {
	env := []string{
		"PATH=/bin",
		"SWITCHBOARD_LISTEN=:9000",
		"SWITCHBOARD_PUBLIC_URL=https://hub.example.com/",
		"SWITCHBOARD_DATA_DIR=/var/lib/switchboard",
		"SWITCHBOARD_STORE_DRIVER=postgres",
		"SWITCHBOARD_STORE_DSN=postgres://u:p@db/sb",
		"SWITCHBOARD_BUS_DRIVER=nats",
		"SWITCHBOARD_BUS_URL=nats://nats:4222",
		"SWITCHBOARD_LOG_LEVEL=debug",
		"SWITCHBOARD_LOG_FORMAT=json",
	}
	c, err := config.Load(writeConfig(t, minimal), env)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.Listen, c.PublicURL, c.DataDir, c.Store.Driver, c.Store.DSN, c.Bus.Driver, c.Bus.URL, c.Log.Level, c.Log.Format}
	want := []string{":9000", "https://hub.example.com", "/var/lib/switchboard", "postgres", "postgres://u:p@db/sb", "nats", "nats://nats:4222", "debug", "json"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLoad_precedence_env_over_file_over_default(t *testing.T) {
	file := writeConfig(t, "listen: :7000\nlog: {level: warn}\n"+minimal)
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"file over default", nil, ":7000"},
		{"env over file", []string{"SWITCHBOARD_LISTEN=:9000"}, ":9000"},
		{"later env entry wins", []string{"SWITCHBOARD_LISTEN=:9000", "SWITCHBOARD_LISTEN=:9001"}, ":9001"},
		{"empty env is unset", []string{"SWITCHBOARD_LISTEN="}, ":7000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(file, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.Listen != tt.want {
				t.Errorf("listen = %q, want %q", c.Listen, tt.want)
			}
			if c.Log.Level != "warn" || c.Log.Format != "text" {
				t.Errorf("log = %+v, want warn from the file and text by default", c.Log)
			}
		})
	}
}

func TestLoad_env_applies_to_embedded_default(t *testing.T) {
	c, err := config.Load("", []string{"SWITCHBOARD_DATA_DIR=/tmp/sb"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/tmp/sb" {
		t.Errorf("data_dir = %q, want /tmp/sb", c.DataDir)
	}
}

func TestLoad_problem_from_env_names_the_variable(t *testing.T) {
	ps := problemsOf(t, writeConfig(t, minimal), []string{"SWITCHBOARD_BUS_DRIVER=kafka"})
	if len(ps) != 1 || ps[0].Path != "bus.driver" || !strings.HasSuffix(ps[0].Message, "(set by SWITCHBOARD_BUS_DRIVER)") || ps[0].Line != 0 {
		t.Errorf("got %v, want one bus.driver problem set by SWITCHBOARD_BUS_DRIVER", ps)
	}
}

func TestLoad_channel_raw_keeps_whole_section(t *testing.T) {
	c, err := config.Load(writeConfig(t, `
channels:
  - name: crm
    type: webhook
    capabilities: {voice: false}
    secret: whsec_x
    attachment_hosts: [a.example]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	ch := c.Channels[0]
	for _, k := range []string{"name", "type", "capabilities", "secret", "attachment_hosts"} {
		if _, ok := ch.Raw[k]; !ok {
			t.Errorf("Raw lacks %q: %v", k, ch.Raw)
		}
	}
	if ch.Capabilities.Voice == nil || *ch.Capabilities.Voice {
		t.Errorf("capabilities.voice = %v, want false", ch.Capabilities.Voice)
	}
	if ch.Capabilities.Attachments != nil {
		t.Error("capabilities.attachments set though the file leaves it out")
	}
	if ch.KeyPath() != "channels[0]" {
		t.Errorf("KeyPath() = %q, want channels[0]", ch.KeyPath())
	}
}

func TestLoad_unreadable_or_invalid_file_is_an_error(t *testing.T) {
	tests := []struct{ name, path, fragment string }{
		{"missing", filepath.Join(t.TempDir(), "nope.yaml"), "no such file"},
		{"not yaml", writeConfig(t, "listen: [\n"), "yaml"},
		{"not a mapping", writeConfig(t, "- a\n- b\n"), "must be a mapping"},
		{"duplicate key", writeConfig(t, "listen: :1\nlisten: :2\n"), "already defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(tt.path, nil)
			var ps config.Problems
			if err == nil || errors.As(err, &ps) || !strings.Contains(err.Error(), tt.fragment) {
				t.Errorf("got %v, want a plain error containing %q", err, tt.fragment)
			}
		})
	}
}
