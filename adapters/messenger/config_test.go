package messenger

import (
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

func TestConfig_Validate_names_the_key_at_fault(t *testing.T) {
	valid := func() Config {
		return Config{AppSecret: testSecret, VerifyToken: testVerifyToken, PageToken: testPageToken}
	}
	yes := true
	narrowSize := int64(30 << 20)
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"valid with defaults", func(*Config) {}, ""},
		{"no app secret", func(c *Config) { c.AppSecret = "" }, "app_secret is required"},
		{"no verify token", func(c *Config) { c.VerifyToken = " " }, "verify_token is required"},
		{"no page token", func(c *Config) { c.PageToken = "" }, "page_token is required"},
		{"graph url without scheme", func(c *Config) { c.GraphURL = "graph.facebook.com" }, "graph_url:"},
		{"graph url with a query", func(c *Config) { c.GraphURL = "https://graph.facebook.com?x=1" }, "graph_url:"},
		{"graph version without v", func(c *Config) { c.GraphVersion = "21.0" }, "graph_version:"},
		{"negative body limit", func(c *Config) { c.MaxBodyBytes = -1 }, "max_body_bytes:"},
		{"media host with a path", func(c *Config) { c.MediaHosts = []string{"cdn.example.com/x"} }, "media_hosts[0]:"},
		{"media host with an inner star", func(c *Config) { c.MediaHosts = []string{"cdn.*.com"} }, "media_hosts[0]:"},
		{"attachments narrowed", func(c *Config) { c.Capabilities.Attachments = &[]string{"image/*"} }, ""},
		{"deletion cannot be switched on", func(c *Config) { c.Capabilities.DeleteSent = &yes }, "delete_sent"},
		{"size above Messenger's 25 MB", func(c *Config) { c.Capabilities.MaxAttachmentSize = &narrowSize }, "max_attachment_size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func TestNew_applies_defaults_and_requires_its_dependencies(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.adapter
	if a.cfg.GraphVersion != "v21.0" || a.cfg.MaxBodyBytes != 1<<20 || !a.cfg.humanAgent() || len(a.cfg.MediaHosts) != 3 {
		t.Errorf("defaults = %+v, want v21.0, 1 MiB, human agent on, Meta's media hosts", a.cfg)
	}
	if got := a.Capabilities(); got.Label != "Messenger" || got.DeleteSent || got.MaxAttachmentSize != 25<<20 || !got.Voice || got.Proactive != "24 h window" {
		t.Errorf("capabilities = %+v, want DESIGN §3's Messenger column", got)
	}
	for _, mt := range []string{"image/png", "audio/mp4", "video/mp4", "application/pdf"} {
		if !a.Capabilities().Accepts(mt) {
			t.Errorf("capabilities refuse %s", mt)
		}
	}
	cfg := Config{AppSecret: testSecret, VerifyToken: testVerifyToken, PageToken: testPageToken}
	if _, err := New(testChannel, cfg, Deps{Blobs: e.blobs, State: core.StoreState(e.store, testChannel)}); err == nil {
		t.Error("New without a Receiver succeeded")
	}
	if _, err := New("", cfg, Deps{Receiver: e.rec, Blobs: e.blobs, State: core.StoreState(e.store, testChannel)}); err == nil {
		t.Error("New without a name succeeded")
	}
}
