package telegram

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestConfig_Validate(t *testing.T) {
	webhook := Config{Token: testToken, Mode: ModeWebhook, SecretToken: testSecret, WebhookURL: "https://hub.example.com/webhooks/tg"}
	narrow := []string{"application/*"}
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"polling needs only a token", Config{Token: testToken}, ""},
		{"webhook", webhook, ""},
		{"no token", Config{}, "token is required"},
		{"token without bot id", Config{Token: "abc"}, "token: not a bot token"},
		{"token with a slash", Config{Token: "1:a/b"}, "token: not a bot token"},
		{"unknown mode", Config{Token: testToken, Mode: "push"}, `mode: "push"`},
		{"webhook without secret", func() Config { c := webhook; c.SecretToken = ""; return c }(), "secret_token is required"},
		{"secret with a space", func() Config { c := webhook; c.SecretToken = "a b"; return c }(), "secret_token: use 1-256"},
		{"secret too long", func() Config { c := webhook; c.SecretToken = strings.Repeat("a", 257); return c }(), "secret_token: use 1-256"},
		{"webhook over plain http", func() Config { c := webhook; c.WebhookURL = "http://hub.example.com/x"; return c }(), "webhook_url"},
		{"webhook url is left to New", func() Config { c := webhook; c.WebhookURL = ""; return c }(), ""},
		{"api_url not a URL", Config{Token: testToken, APIURL: "api.telegram.org"}, "api_url"},
		{"negative body limit", Config{Token: testToken, MaxBodyBytes: -1}, "max_body_bytes"},
		{"poll timeout too short", Config{Token: testToken, PollTimeout: time.Millisecond}, "poll_timeout"},
		{"narrowing is fine", Config{Token: testToken, Capabilities: core.CapabilityOverride{Attachments: &narrow}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNew_webhook_mode_needs_a_webhook_url(t *testing.T) {
	cfg := Config{Token: testToken, Mode: ModeWebhook, SecretToken: testSecret}
	_, err := New("tg", cfg, Deps{})
	if err == nil || !strings.Contains(err.Error(), "webhook mode needs webhook_url, or public_url") {
		t.Errorf("New = %v, want the missing webhook URL named", err)
	}
}

func TestNew_applies_defaults_and_narrows_capabilities(t *testing.T) {
	images := []string{"image/*"}
	bot := newFakeBot(t)
	cfg := Config{Token: testToken, Capabilities: core.CapabilityOverride{Attachments: &images}}
	e := newEnvWith(t, bot, cfg, t.TempDir())
	got := e.ad.cfg
	if got.Mode != ModePolling || got.APIURL != DefaultAPIURL || got.MaxBodyBytes != 1<<20 || got.PollTimeout != DefaultPollTimeout {
		t.Errorf("defaults = %+v", got)
	}
	caps := e.ad.Capabilities()
	if !caps.Accepts("image/png") || caps.Accepts("application/pdf") {
		t.Errorf("narrowed attachments = %v, want images only", caps.Attachments)
	}
}

func TestDefaultCapabilities_match_the_design(t *testing.T) {
	c := DefaultCapabilities()
	if c.Label != "Telegram" || !c.DeleteSent || c.DeleteWindow != 48*time.Hour || !c.Accepts("application/x-anything") ||
		c.MaxSize() != 50<<20 || !c.Voice || c.Verification != "" || c.Proactive != "after contact" || c.Live {
		t.Errorf("capabilities = %+v", c)
	}
	err := c.CheckAttachment("tg", core.Attachment{MIMEType: "video/mp4", Size: 51 << 20})
	if err == nil || err.Error() != "Telegram accepts files up to 50.0 MB; this file is 51.0 MB" {
		t.Errorf("a 51 MB file: %v", err)
	}
}
