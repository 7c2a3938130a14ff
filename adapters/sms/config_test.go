package sms

import (
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

func TestConfigValidate_names_the_key_at_fault(t *testing.T) {
	twilio := func(edit func(*Config)) Config {
		c := Config{AccountSID: testSID, AuthToken: testToken, From: "+16465550100"}
		edit(&c)
		return c
	}
	generic := func(edit func(*Config)) Config {
		c := Config{Provider: ProviderGeneric, URL: "https://gw.example.net/send", Secret: testSecret}
		edit(&c)
		return c
	}
	gif := []string{"image/gif"}
	video := []string{"video/mp4"}
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"twilio with from", twilio(func(*Config) {}), ""},
		{"twilio with a messaging service", twilio(func(c *Config) { c.From, c.MessagingServiceSID = "", testService }), ""},
		{"twilio narrowed to GIF", twilio(func(c *Config) { c.Capabilities.Attachments = &gif }), ""},
		{"generic", generic(func(*Config) {}), ""},
		{"unknown provider", twilio(func(c *Config) { c.Provider = "nexmo" }), "provider"},
		{"no account sid", twilio(func(c *Config) { c.AccountSID = "" }), "account_sid"},
		{"account sid with a slash", twilio(func(c *Config) { c.AccountSID = "AC/../x" }), "account_sid"},
		{"no auth token", twilio(func(c *Config) { c.AuthToken = "" }), "auth_token"},
		{"no sender", twilio(func(c *Config) { c.From = "" }), "from or messaging_service_sid"},
		{"from not E.164", twilio(func(c *Config) { c.From = "+1" }), "from"},
		{"generic keys under twilio", twilio(func(c *Config) { c.Secret = testSecret }), "provider generic"},
		{"api_url relative", twilio(func(c *Config) { c.APIURL = "api.twilio.com" }), "api_url"},
		{"public_url with a query", twilio(func(c *Config) { c.PublicURL = "https://hub.example.com/sms?x=1" }), "public_url"},
		{"negative max_body_bytes", twilio(func(c *Config) { c.MaxBodyBytes = -1 }), "max_body_bytes"},
		{"media host with a path", twilio(func(c *Config) { c.MediaHosts = []string{"api.twilio.com/x"} }), "media_hosts[0]"},
		{"unknown region", twilio(func(c *Config) { c.DefaultRegion = "XX" }), "default_region"},
		{"widened capabilities", twilio(func(c *Config) { c.Capabilities.Attachments = &video }), "capabilities.attachments"},
		{"generic without url", generic(func(c *Config) { c.URL = "" }), "url"},
		{"generic without secret", generic(func(c *Config) { c.Secret = "" }), "secret"},
		{"generic with a bad secret", generic(func(c *Config) { c.Secret = "hunter2" }), "secret"},
		{"twilio keys under generic", generic(func(c *Config) { c.AuthToken = testToken }), "provider twilio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate = %v, want valid", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestNew_derives_public_url_from_the_hub_and_refuses_none(t *testing.T) {
	deps := Deps{Receiver: newFakeReceiver(), Blobs: newMemBlobs(), State: newMemState(), PublicURL: "https://hub.example.com/"}
	cfg := Config{AccountSID: testSID, AuthToken: testToken, From: "+16465550100", Path: "/sms/twilio"}
	a, err := New("sms", cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.signedURL(routeInbound, ""), "https://hub.example.com/sms/twilio/inbound"; got != want {
		t.Errorf("signed URL = %q, want %q", got, want)
	}
	deps.PublicURL = ""
	if _, err := New("sms", cfg, deps); err == nil || !strings.Contains(err.Error(), "public_url") {
		t.Errorf("New without any public URL = %v, want an error naming public_url", err)
	}
	deps.PublicURL, deps.State = "https://hub.example.com", nil
	if _, err := New("sms", cfg, deps); err == nil {
		t.Error("New without Deps.State succeeded: opt-outs could not be kept")
	}
}

func TestCapabilities_are_DESIGN_defaults_narrowed_by_config(t *testing.T) {
	c := DefaultCapabilities()
	err := c.CheckAttachment("sms", core.Attachment{MIMEType: "audio/ogg", Size: 10, Voice: true})
	if want := "SMS accepts only JPEG, PNG and GIF images; this file is audio/ogg"; err == nil || err.Error() != want {
		t.Errorf("voice note refusal = %v, want %q", err, want)
	}
	if c.DeleteSent || c.Voice || c.Live || c.MaxAttachmentSize != 5<<20 {
		t.Errorf("defaults = %+v, want no deletion, voice or live, 5 MB", c)
	}
	gif := []string{"image/gif"}
	r := newRig(t, Config{Capabilities: core.CapabilityOverride{Attachments: &gif}})
	if got := r.a.Capabilities(); got.Accepts("image/png") || !got.Accepts("image/gif") {
		t.Errorf("narrowed capabilities accept %v, want only image/gif", got.Attachments)
	}
}
