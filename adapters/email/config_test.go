package email

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestConfig_Validate_names_the_key_at_fault(t *testing.T) {
	valid := func() Config {
		return Config{
			Address: "support@example.com",
			IMAP:    IMAPConfig{Addr: "imap.example.com:993", Username: "support", Password: "pw"},
			SMTP:    SMTPConfig{Addr: "smtp.example.com:587", Username: "support", Password: "pw"},
		}
	}
	two := int64(2)
	tests := []struct {
		name   string
		change func(*Config)
		want   string // "" = valid
	}{
		{"the issue's example", func(*Config) {}, ""},
		{"loopback without TLS", func(c *Config) {
			c.IMAP.Addr, c.IMAP.TLS, c.SMTP.Addr, c.SMTP.TLS = "127.0.0.1:143", "none", "[::1]:25", "none"
		}, ""},
		{"localhost without TLS", func(c *Config) { c.SMTP.Addr, c.SMTP.TLS = "localhost:25", "none" }, ""},
		{"no TLS to a remote server", func(c *Config) { c.IMAP.TLS = "none" }, "imap.tls: none is allowed only for loopback"},
		{"no TLS to a remote SMTP server", func(c *Config) { c.SMTP.TLS = "none" }, "smtp.tls: none is allowed only for loopback"},
		{"unknown TLS mode", func(c *Config) { c.SMTP.TLS = "ssl" }, "smtp.tls"},
		{"no address", func(c *Config) { c.Address = "" }, "address: required"},
		{"address with a name", func(c *Config) { c.Address = "Support <support@example.com>" }, "address"},
		{"no way to receive", func(c *Config) { c.IMAP = IMAPConfig{} }, "imap.addr or inbound_smtp.addr"},
		{"inbound SMTP alone", func(c *Config) { c.IMAP, c.InboundSMTP.Addr = IMAPConfig{}, ":2525" }, ""},
		{"no SMTP", func(c *Config) { c.SMTP.Addr = "" }, "smtp.addr is required"},
		{"IMAP address without port", func(c *Config) { c.IMAP.Addr = "imap.example.com" }, "imap.addr"},
		{"IMAP without password", func(c *Config) { c.IMAP.Password = "" }, "imap.password"},
		{"xoauth2 without token", func(c *Config) { c.IMAP.Auth = "xoauth2" }, "imap.token"},
		{"xoauth2 with token", func(c *Config) { c.IMAP.Auth, c.IMAP.Token = "xoauth2", "ya29" }, ""},
		{"unknown auth", func(c *Config) { c.IMAP.Auth = "kerberos" }, "imap.auth"},
		{"move without folder", func(c *Config) { c.IMAP.Processed = "move" }, "imap.move_to"},
		{"move to a folder", func(c *Config) { c.IMAP.Processed, c.IMAP.MoveTo = "move", "Done" }, ""},
		{"unknown processed", func(c *Config) { c.IMAP.Processed = "delete" }, "imap.processed"},
		{"unknown backfill", func(c *Config) { c.IMAP.Backfill = "everything" }, "imap.backfill"},
		{"quarantine is the mailbox", func(c *Config) { c.IMAP.Quarantine = "INBOX" }, "imap.quarantine"},
		{"huge batches", func(c *Config) { c.IMAP.BatchSize = 5000 }, "imap.batch_size"},
		{"backoff upside down", func(c *Config) { c.IMAP.ReconnectMin, c.IMAP.ReconnectMax = time.Minute, time.Second }, "imap.reconnect_min"},
		{"bad from", func(c *Config) { c.SMTP.From = "not an address" }, "smtp.from"},
		{"SMTP login without password", func(c *Config) { c.SMTP.Auth, c.SMTP.Password = "login", "" }, "smtp.password"},
		{"bad reply domain", func(c *Config) { c.ReplyDomain = "reply example.com" }, "reply_domain"},
		{"negative size", func(c *Config) { c.MaxMessageBytes = -1 }, "max_message_bytes"},
		{"negative subject days", func(c *Config) { c.ThreadBySubjectDays = -1 }, "thread_by_subject_days"},
		{"bad blocked sender", func(c *Config) { c.BlockedSenders = []string{"@"} }, "blocked_senders[0]"},
		{"bad inbound recipient", func(c *Config) { c.InboundSMTP = InboundSMTPConfig{Addr: ":25", Recipients: []string{"x"}} }, "inbound_smtp.recipients[0]"},
		{"narrowed capabilities", func(c *Config) { c.Capabilities = core.CapabilityOverride{MaxAttachmentSize: &two} }, ""},
		{"widened capabilities", func(c *Config) { yes := true; c.Capabilities = core.CapabilityOverride{Voice: &yes} }, "capabilities.voice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v, want valid", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestDefaultCapabilities_are_DESIGN_section_3s(t *testing.T) {
	c := DefaultCapabilities()
	if c.Label != "Email" || c.DeleteSent || !c.Accepts("application/x-anything") || c.MaxSize() != 25<<20 ||
		c.Voice || c.Live || c.Verification != "link" || c.Proactive != "always" {
		t.Errorf("capabilities = %+v", c)
	}
	if err := c.CheckAttachment("mail", core.Attachment{MIMEType: "audio/ogg", Size: 10, Voice: true}); err == nil {
		t.Error("a voice note was accepted: email carries audio only as a file")
	}
}
