package config_test

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/config"
)

// hookConfig stands in for an adapter's typed Config.
type hookConfig struct {
	Secret          string        `mapstructure:"secret"`
	URL             string        `mapstructure:"url"`
	MaxBodyBytes    int64         `mapstructure:"max_body_bytes"`
	AttachmentHosts []string      `mapstructure:"attachment_hosts"`
	Timeout         time.Duration `mapstructure:"timeout"`
	Bind            netip.Addr    `mapstructure:"bind"`
	TLS             struct {
		Insecure bool `mapstructure:"insecure"`
	} `mapstructure:"tls"`
}

// loadChannel loads a file whose channels are given and returns channel i.
func loadChannel(t *testing.T, channels string, i int) config.Channel {
	t.Helper()
	c, err := config.Load(writeConfig(t, "channels:\n"+channels), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Channels[i]
}

func TestChannelDecode_adapter_keys(t *testing.T) {
	ch := loadChannel(t, `
  - name: crm
    type: webhook
    group: support
    path: /hooks/crm
    capabilities: {voice: false}
    secret: whsec_abc
    url: http://127.0.0.1:9999/outbound
    max_body_bytes: 1024
    attachment_hosts: [files.example.com]
    timeout: 5s
    bind: 127.0.0.1
    tls: {insecure: true}
`, 0)
	var got hookConfig
	if err := ch.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Secret != "whsec_abc" || got.URL != "http://127.0.0.1:9999/outbound" || got.MaxBodyBytes != 1024 ||
		!slices.Equal(got.AttachmentHosts, []string{"files.example.com"}) || got.Timeout != 5*time.Second ||
		got.Bind != netip.MustParseAddr("127.0.0.1") || !got.TLS.Insecure {
		t.Errorf("got %+v", got)
	}
}

func TestChannelDecode_unknown_key_names_the_key(t *testing.T) {
	ch := loadChannel(t, `
  - name: a
    type: webhook
  - name: b
    type: webhook
  - name: crm
    type: webhook
    secrett: whsec_abc
    tls: {insecur: true}
`, 2)
	err := ch.Decode(&hookConfig{})
	var ps config.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %v, want Problems", err)
	}
	want := config.Problems{
		{Path: "channels[2].secrett", Message: `unknown key "secrett" (did you mean "secret"?)`, Line: 9},
		{Path: "channels[2].tls.insecur", Message: `unknown key "insecur" (did you mean "insecure"?)`, Line: 10},
	}
	if !slices.Equal(ps, want) {
		t.Errorf("got %v, want %v", ps, want)
	}
	if got := ps[0].String(); got != `channels[2].secrett (line 9): unknown key "secrett" (did you mean "secret"?)` {
		t.Errorf("String() = %s", got)
	}
}

func TestChannelDecode_misspelt_common_key_is_suggested(t *testing.T) {
	ch := loadChannel(t, "  - {name: crm, type: webhook, grop: support}\n", 0)
	err := ch.Decode(&hookConfig{})
	var ps config.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Message != `unknown key "grop" (did you mean "group"?)` {
		t.Errorf("got %v, want grop with group suggested", err)
	}
}

func TestChannelDecode_is_strictly_typed(t *testing.T) {
	tests := []struct{ name, yaml, path, fragment string }{
		{"number as string", "max_body_bytes: \"1024\"", "channels[0].max_body_bytes", `must be a whole number, not "1024"`},
		{"bare number duration", "timeout: 30", "channels[0].timeout", "has no unit"},
		{"bad duration", "timeout: soon", "channels[0].timeout", `"soon" is not a duration`},
		{"text unmarshaler", "bind: not-an-ip", "channels[0].bind", "ParseAddr"},
		{"scalar for list", "attachment_hosts: files.example.com", "channels[0].attachment_hosts", "must be a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := loadChannel(t, "  - name: crm\n    type: webhook\n    "+tt.yaml+"\n", 0)
			err := ch.Decode(&hookConfig{})
			var ps config.Problems
			if !errors.As(err, &ps) || !hasProblem(ps, tt.path, tt.fragment) {
				t.Errorf("got %v, want %s: ...%s...", err, tt.path, tt.fragment)
			}
		})
	}
}

func TestChannelDecode_known_keys_are_skipped(t *testing.T) {
	ch := loadChannel(t, "  - {name: crm, type: webhook, secret: whsec_abc, extra: 1}\n", 0)
	if err := ch.Decode(&hookConfig{}, "extra"); err != nil {
		t.Errorf("got %v, want extra skipped", err)
	}
}

func TestChannelDecode_needs_a_pointer(t *testing.T) {
	ch := config.Channel{Name: "crm", Raw: map[string]any{"secret": "x"}}
	if err := ch.Decode(hookConfig{}); err == nil {
		t.Error("decoding into a non-pointer succeeded")
	}
}

func TestChannelDecode_hand_made_channel_names_itself(t *testing.T) {
	ch := config.Channel{Name: "crm", Raw: map[string]any{"name": "crm", "secrt": "x"}}
	err := ch.Decode(&hookConfig{})
	var ps config.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != "channels[crm].secrt" || ps[0].Line != 0 {
		t.Errorf("got %v, want channels[crm].secrt", err)
	}
}
