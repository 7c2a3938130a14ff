package whatsapp

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestConfigValidate(t *testing.T) {
	cloud := cloudConfig("https://graph.facebook.com")
	small := int64(1 << 20)
	yes := true
	tests := []struct {
		name string
		edit func(*Config)
		want string // "" = valid; else a substring of the error
	}{
		{"cloud, complete", func(c *Config) {}, ""},
		{"whatsmeow needs nothing", func(c *Config) { *c = Config{Driver: "whatsmeow"} }, ""},
		{"whatsmeow with its keys", func(c *Config) {
			*c = Config{Driver: "WhatsMeow", Pacing: 2 * time.Second, SendTimeout: time.Hour, AllowDelete: true,
				Capabilities: core.CapabilityOverride{DeleteSent: &yes}}
		}, ""},
		{"no driver", func(c *Config) { c.Driver = "" }, "driver is required"},
		{"unknown driver", func(c *Config) { c.Driver = "twilio" }, `driver: "twilio" is not whatsmeow or cloud`},
		{"cloud without access token", func(c *Config) { c.AccessToken = "" }, "access_token is required for the cloud driver"},
		{"cloud without phone number id", func(c *Config) { c.PhoneNumberID = " " }, "phone_number_id is required"},
		{"phone number id is a number", func(c *Config) { c.PhoneNumberID = "+14155550100" }, "phone_number_id"},
		{"graph version", func(c *Config) { c.GraphVersion = "21" }, "graph_version"},
		{"graph url", func(c *Config) { c.GraphURL = "graph.facebook.com" }, "graph_url"},
		{"template name", func(c *Config) { c.Templates[0].Name = "Order Update" }, "templates[0].name"},
		{"template language", func(c *Config) { c.Templates[1].Language = "english" }, "templates[1].language"},
		{"template twice", func(c *Config) { c.Templates[1].Name = "order_update" }, "listed twice"},
		{"unnamed parameter", func(c *Config) { c.Templates[0].Parameters[1] = "" }, "templates[0].parameters[1]"},
		{"a whatsmeow key on cloud", func(c *Config) { c.AllowDelete = true }, "allow_delete applies to the whatsmeow driver only"},
		{"a cloud key on whatsmeow", func(c *Config) { *c = Config{Driver: "whatsmeow", AccessToken: "x"} }, "access_token applies to the cloud driver only"},
		{"negative send timeout", func(c *Config) { *c = Config{Driver: "whatsmeow", SendTimeout: -time.Second} }, "send_timeout"},
		{"narrowing is fine", func(c *Config) { c.Capabilities = core.CapabilityOverride{MaxAttachmentSize: &small} }, ""},
		{"deletion cannot be switched on by capabilities", func(c *Config) { c.Capabilities = core.CapabilityOverride{DeleteSent: &yes} }, "capabilities.delete_sent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cloud
			c.Templates = []Template{
				{Name: "order_update", Language: "en_US", Parameters: []string{"order number", "delivery day"}},
				{Name: "hello_again", Language: "en"},
			}
			tc.edit(&c)
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

func TestCapabilities_follow_DESIGN_and_the_driver(t *testing.T) {
	caps := DefaultCapabilities()
	if caps.Label != "WhatsApp" || caps.DeleteSent || caps.MaxAttachmentSize != 100<<20 || !caps.Voice ||
		caps.Verification != "phone" || caps.Proactive != "template + consent" {
		t.Fatalf("defaults = %+v", caps)
	}
	for _, mt := range []string{"image/jpeg", "audio/ogg", "video/mp4", "application/pdf"} {
		if !caps.Accepts(mt) {
			t.Errorf("%s not accepted", mt)
		}
	}
	if caps.Accepts("text/plain") {
		t.Error("text/plain is not a WhatsApp document type here")
	}
	meow := Config{Driver: DriverWhatsmeow, AllowDelete: true}.capabilities()
	if !meow.DeleteSent || meow.DeleteWindow != 48*time.Hour {
		t.Fatalf("allow_delete: %+v, want deletion within 48 hours", meow)
	}
}

func TestCheckMediaSize_refuses_media_over_16_MB_but_not_documents(t *testing.T) {
	caps := DefaultCapabilities()
	tests := []struct {
		att  core.Attachment
		want string
	}{
		{core.Attachment{MIMEType: "image/jpeg", Size: 16 << 20}, ""},
		{core.Attachment{MIMEType: "audio/ogg", Size: 16<<20 + 1}, "WhatsApp accepts images, audio and video up to 16.0 MB (documents up to 100.0 MB); this file is over 16.0 MB"},
		{core.Attachment{MIMEType: "video/mp4", Size: 40 << 20}, "WhatsApp accepts images, audio and video up to 16.0 MB (documents up to 100.0 MB); this file is 40.0 MB"},
		{core.Attachment{MIMEType: "application/pdf", Size: 90 << 20}, ""},
	}
	for _, tc := range tests {
		err := checkMediaSize(testChannel, caps, tc.att)
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || err.Error() != tc.want)) {
			t.Errorf("%s of %d bytes: %v, want %q", tc.att.MIMEType, tc.att.Size, err, tc.want)
		}
	}
}

func TestConsentKeyword(t *testing.T) {
	tests := []struct {
		text  string
		optIn *bool
	}{
		{"STOP", ptr(false)}, {" stop ", ptr(false)}, {"Opt-Out", ptr(false)}, {"unsubscribe", ptr(false)},
		{"START", ptr(true)}, {"opt in", ptr(true)}, {"OPT_IN", ptr(true)}, {"Subscribe", ptr(true)},
		{"please stop sending me these", nil}, {"cancel all my orders", nil}, {"", nil},
	}
	for _, tc := range tests {
		got := consentKeyword(tc.text)
		if (got == nil) != (tc.optIn == nil) || (got != nil && got.OptIn != *tc.optIn) {
			t.Errorf("consentKeyword(%q) = %+v, want opt-in %v", tc.text, got, tc.optIn)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestPhoneNumbers(t *testing.T) {
	for in, want := range map[string]string{"12065550131": "+12065550131", "+447700900123": "+447700900123", "0301555": "", "12ab": "", "1234567890123456": ""} {
		got, ok := e164(in)
		if got != want || ok != (want != "") {
			t.Errorf("e164(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}
