package email

import "testing"

func TestClassify_applies_the_rules_in_order(t *testing.T) {
	customer := func(change func(*Mail)) *Mail {
		m := &Mail{From: Address{Address: "dana@example.org"}, ContentType: "text/plain"}
		if change != nil {
			change(m)
		}
		return m
	}
	blocked := []string{"spam@example.com", "@junk.example.net"}
	tests := []struct {
		name string
		mail *Mail
		want string
	}{
		{"a customer", customer(nil), ""},
		{"delivery report", customer(func(m *Mail) { m.ContentType, m.ReportType = "multipart/report", "delivery-status" }), FilterBounce},
		{"read receipt is no bounce", customer(func(m *Mail) { m.ContentType, m.ReportType = "multipart/report", "disposition-notification" }), ""},
		{"null sender from postmaster", customer(func(m *Mail) { m.ReturnPathNull, m.From.Address = true, "postmaster@mx.example.net" }), FilterBounce},
		{"null sender from a person", customer(func(m *Mail) { m.ReturnPathNull = true }), ""},
		{"bounce before auto-reply", customer(func(m *Mail) {
			m.ContentType, m.ReportType, m.AutoSubmitted = "multipart/report", "delivery-status", "auto-replied"
		}), FilterBounce},
		{"Auto-Submitted auto-replied", customer(func(m *Mail) { m.AutoSubmitted = "auto-replied" }), FilterAutoReply},
		{"Auto-Submitted no", customer(func(m *Mail) { m.AutoSubmitted = "no" }), ""},
		{"X-Autoreply", customer(func(m *Mail) { m.AutoReplyHeader = true }), FilterAutoReply},
		{"auto-reply before bulk", customer(func(m *Mail) { m.AutoSubmitted, m.Precedence = "auto-generated", "bulk" }), FilterAutoReply},
		{"Precedence bulk", customer(func(m *Mail) { m.Precedence = "bulk" }), FilterBulk},
		{"Precedence list", customer(func(m *Mail) { m.Precedence = "list" }), FilterBulk},
		{"Precedence junk", customer(func(m *Mail) { m.Precedence = "junk" }), FilterBulk},
		{"Precedence first-class", customer(func(m *Mail) { m.Precedence = "first-class" }), ""},
		{"bulk before role", customer(func(m *Mail) { m.Precedence, m.From.Address = "bulk", "newsletter@example.com" }), FilterBulk},
		{"role address", customer(func(m *Mail) { m.From.Address = "no-reply@shop.example.com" }), FilterRole},
		{"role address with a tag", customer(func(m *Mail) { m.From.Address = "noreply+weekly@shop.example.com" }), FilterRole},
		{"role in the domain only", customer(func(m *Mail) { m.From.Address = "dana@noreply.example.com" }), ""},
		{"role-like but a person", customer(func(m *Mail) { m.From.Address = "marketingdana@example.com" }), ""},
		{"blocked address", customer(func(m *Mail) { m.From.Address = "spam@example.com" }), FilterBlocked},
		{"blocked domain", customer(func(m *Mail) { m.From.Address = "anyone@junk.example.net" }), FilterBlocked},
		{"blocked domain is not a suffix match", customer(func(m *Mail) { m.From.Address = "anyone@notjunk.example.net" }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.mail, blocked); got != tt.want {
				t.Errorf("Classify = %q, want %q", got, tt.want)
			}
		})
	}
}
