package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Capability sets shaped like the defaults of DESIGN §3.
var (
	smsCaps = core.Capabilities{
		Label:             "SMS",
		Attachments:       []string{"image/jpeg", "image/png", "image/gif"},
		AttachmentsLabel:  "JPEG, PNG and GIF images",
		MaxAttachmentSize: 5 << 20,
	}
	telegramCaps = core.Capabilities{
		Label:             "Telegram",
		DeleteSent:        true,
		DeleteWindow:      48 * time.Hour,
		Attachments:       []string{"*/*"},
		MaxAttachmentSize: 50 << 20,
		Voice:             true,
	}
	whatsappCaps = core.Capabilities{
		Label:             "WhatsApp",
		Attachments:       []string{"image/*", "audio/*", "video/*", "application/pdf"},
		AttachmentsLabel:  "images, audio, video and PDF documents",
		MaxAttachmentSize: 100 << 20,
		Voice:             true,
	}
	webchatCaps = core.Capabilities{
		Label:       "Web chat",
		DeleteSent:  true,
		Attachments: []string{"*/*"},
		Voice:       true,
		Live:        true,
	}
)

func ptrTo[T any](v T) *T { return &v }

func TestCapabilities_Narrow_refuses_widening(t *testing.T) {
	cases := []struct {
		name string
		caps core.Capabilities
		o    core.CapabilityOverride
		want string
	}{
		{"attachment type beyond the default", smsCaps,
			core.CapabilityOverride{Attachments: &[]string{"image/png", "audio/ogg"}},
			`capabilities.attachments: "audio/ogg" is wider than the channel supports (JPEG, PNG and GIF images)`},
		{"wildcard over single types", smsCaps,
			core.CapabilityOverride{Attachments: &[]string{"image/*"}},
			`capabilities.attachments: "image/*" is wider than the channel supports (JPEG, PNG and GIF images)`},
		{"any type over a family", whatsappCaps,
			core.CapabilityOverride{Attachments: &[]string{"*/*"}},
			`capabilities.attachments: "*/*" is wider than the channel supports (images, audio, video and PDF documents)`},
		{"not a MIME type", telegramCaps,
			core.CapabilityOverride{Attachments: &[]string{"pdf"}},
			`capabilities.attachments: "pdf" is not a MIME type or pattern`},
		{"bigger size", smsCaps,
			core.CapabilityOverride{MaxAttachmentSize: ptrTo(int64(6 << 20))},
			"capabilities.max_attachment_size: 6291456 is outside 1..5242880"},
		{"zero size would mean the global limit", smsCaps,
			core.CapabilityOverride{MaxAttachmentSize: ptrTo(int64(0))},
			"capabilities.max_attachment_size: 0 is outside 1..5242880"},
		{"negative size", telegramCaps,
			core.CapabilityOverride{MaxAttachmentSize: ptrTo(int64(-1))},
			"capabilities.max_attachment_size: -1 is outside 1..52428800"},
		{"voice when unsupported", smsCaps,
			core.CapabilityOverride{Voice: ptrTo(true)},
			"capabilities.voice: the channel cannot send voice messages"},
		{"delete when unsupported", smsCaps,
			core.CapabilityOverride{DeleteSent: ptrTo(true)},
			"capabilities.delete_sent: the channel cannot delete sent messages"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.caps.Narrow(tc.o)
			if err == nil {
				t.Fatalf("Narrow got = %+v, want error %q", got, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("Narrow error got = %q, want %q", err.Error(), tc.want)
			}
			if code := core.ErrorCode(err); code != core.CodeInvalid {
				t.Errorf("ErrorCode got = %q, want %q", code, core.CodeInvalid)
			}
		})
	}
}

func TestCapabilities_Narrow_accepts_narrowing(t *testing.T) {
	got, err := whatsappCaps.Narrow(core.CapabilityOverride{
		Attachments:       &[]string{" Image/PNG ", "audio/*", "application/pdf"},
		MaxAttachmentSize: ptrTo(int64(16 << 20)),
		Voice:             ptrTo(false),
	})
	if err != nil {
		t.Fatalf("Narrow: %v", err)
	}
	if !got.Accepts("image/png") || got.Accepts("image/jpeg") || !got.Accepts("audio/ogg") {
		t.Errorf("Narrow got = %v, want image/png, audio/* and application/pdf", got.Attachments)
	}
	if got.MaxSize() != 16<<20 {
		t.Errorf("MaxSize got = %d, want %d", got.MaxSize(), 16<<20)
	}
	if got.Voice {
		t.Errorf("Voice got = %v, want false", got.Voice)
	}
	// The label described the old list; a refusal must name the new one.
	err = got.CheckAttachment("wa", core.Attachment{MIMEType: "video/mp4", Size: 1})
	if want := "WhatsApp accepts only image/png, audio/*, application/pdf; this file is video/mp4"; err == nil || err.Error() != want {
		t.Errorf("CheckAttachment error got = %v, want %q", err, want)
	}
	if whatsappCaps.Attachments[0] != "image/*" {
		t.Errorf("Narrow changed the defaults: %v", whatsappCaps.Attachments)
	}
}

func TestCapabilities_Narrow_keeps_what_is_not_overridden(t *testing.T) {
	got, err := telegramCaps.Narrow(core.CapabilityOverride{})
	if err != nil {
		t.Fatalf("Narrow: %v", err)
	}
	if got.MaxSize() != telegramCaps.MaxSize() || !got.Voice || !got.DeleteSent || !got.Accepts("audio/ogg") {
		t.Errorf("Narrow got = %+v, want %+v", got, telegramCaps)
	}
	none, err := telegramCaps.Narrow(core.CapabilityOverride{Attachments: &[]string{}, DeleteSent: ptrTo(false)})
	if err != nil {
		t.Fatalf("Narrow: %v", err)
	}
	if none.Accepts("image/png") || none.DeleteSent {
		t.Errorf("Narrow got = %+v, want no attachments and no deletes", none)
	}
}

func TestCapabilities_CheckAttachment(t *testing.T) {
	cases := []struct {
		name       string
		caps       core.Capabilities
		a          core.Attachment
		want       string // "" when the file fits
		capability string
	}{
		{"fits", smsCaps, core.Attachment{MIMEType: "image/png", Size: 1 << 20}, "", ""},
		{"exactly the limit", smsCaps, core.Attachment{MIMEType: "image/gif", Size: 5 << 20}, "", ""},
		{"wrong type", smsCaps, core.Attachment{MIMEType: "audio/ogg", Size: 1000},
			"SMS accepts only JPEG, PNG and GIF images; this file is audio/ogg", "attachments"},
		{"too large", smsCaps, core.Attachment{MIMEType: "image/jpeg", Size: 7 << 20},
			"SMS accepts files up to 5.0 MB; this file is 7.0 MB", "attachments"},
		{"one byte too large", smsCaps, core.Attachment{MIMEType: "image/jpeg", Size: 5<<20 + 1},
			"SMS accepts files up to 5.0 MB; this file is over 5.0 MB", "attachments"},
		{"over the global limit", webchatCaps, core.Attachment{MIMEType: "video/mp4", Size: 150 << 20},
			"Web chat accepts files up to 100.0 MB; this file is 150.0 MB", "attachments"},
		{"voice", smsCaps, core.Attachment{MIMEType: "image/png", Size: 10, Voice: true},
			"SMS cannot carry voice messages", "voice"},
		{"voice where supported", telegramCaps, core.Attachment{MIMEType: "audio/ogg", Size: 10, Voice: true}, "", ""},
		{"no attachments", core.Capabilities{Label: "Fax"}, core.Attachment{MIMEType: "image/png", Size: 10},
			"Fax accepts no attachments", "attachments"},
		{"no label names the instance", core.Capabilities{Attachments: []string{"image/png", "image/jpeg"}},
			core.Attachment{MIMEType: "text/plain", Size: 10},
			"channel crm accepts only image/png, image/jpeg; this file is text/plain", "attachments"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.caps.CheckAttachment("crm", tc.a)
			checkCapabilityError(t, err, tc.want, "crm", tc.capability)
		})
	}
}

func TestCapabilities_CheckDelete(t *testing.T) {
	sent := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		caps core.Capabilities
		now  time.Time
		want string
	}{
		{"within the window", telegramCaps, sent.Add(47 * time.Hour), ""},
		{"at the end of the window", telegramCaps, sent.Add(48 * time.Hour), ""},
		{"past the window", telegramCaps, sent.Add(48*time.Hour + time.Nanosecond),
			"Telegram deletes messages only within 48 hours of sending; this one is older"},
		{"no window", webchatCaps, sent.AddDate(1, 0, 0), ""},
		{"cannot delete", smsCaps, sent.Add(time.Second),
			"SMS cannot delete a message once it is sent"},
		{"one hour window", core.Capabilities{Label: "X", DeleteSent: true, DeleteWindow: time.Hour}, sent.Add(2 * time.Hour),
			"X deletes messages only within 1 hour of sending; this one is older"},
		{"minutes window", core.Capabilities{Label: "X", DeleteSent: true, DeleteWindow: 15 * time.Minute}, sent.Add(time.Hour),
			"X deletes messages only within 15 minutes of sending; this one is older"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.caps.CheckDelete("tg", sent, tc.now)
			checkCapabilityError(t, err, tc.want, "tg", "delete")
		})
	}
}

func TestCapabilities_CheckLive(t *testing.T) {
	if err := webchatCaps.CheckLive("web", "ask for a rating"); err != nil {
		t.Errorf("CheckLive got = %v, want nil", err)
	}
	err := smsCaps.CheckLive("sms", "ask for a rating")
	checkCapabilityError(t, err, "SMS has no live sessions, so it cannot ask for a rating", "sms", "live")
}

func TestCapabilities_Accepts(t *testing.T) {
	cases := []struct {
		caps core.Capabilities
		mime string
		want bool
	}{
		{smsCaps, "image/png", true},
		{smsCaps, "IMAGE/PNG", true},
		{smsCaps, "image/png; foo=bar", true},
		{smsCaps, " image/png ", true},
		{smsCaps, "image/webp", false},
		{smsCaps, "image/png-x", false},
		{smsCaps, "", false},
		{whatsappCaps, "video/mp4", true},
		{whatsappCaps, "audio/ogg; codecs=opus", true},
		{whatsappCaps, "application/pdf", true},
		{whatsappCaps, "application/zip", false},
		{whatsappCaps, "image", false},
		{telegramCaps, "application/x-anything", true},
		{core.Capabilities{}, "image/png", false},
		{core.Capabilities{Attachments: []string{"Image/*"}}, "image/gif", true},
	}
	for _, tc := range cases {
		if got := tc.caps.Accepts(tc.mime); got != tc.want {
			t.Errorf("%v.Accepts(%q) got = %v, want %v", tc.caps.Attachments, tc.mime, got, tc.want)
		}
	}
}

func TestCapabilities_MaxSize(t *testing.T) {
	cases := []struct {
		max, want int64
	}{
		{0, core.MaxUpload},
		{5 << 20, 5 << 20},
		{core.MaxUpload + 1, core.MaxUpload},
	}
	for _, tc := range cases {
		if got := (core.Capabilities{MaxAttachmentSize: tc.max}).MaxSize(); got != tc.want {
			t.Errorf("MaxSize with MaxAttachmentSize %d got = %d, want %d", tc.max, got, tc.want)
		}
	}
}

// checkCapabilityError wants err to be nil when want is empty, and otherwise
// a *core.CapabilityError with the exact text want, coded CodeCapability.
func checkCapabilityError(t *testing.T, err error, want, channel, capability string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("got = %v, want nil", err)
		}
		return
	}
	var ce *core.CapabilityError
	if !errors.As(err, &ce) {
		t.Fatalf("got = %v (%T), want *core.CapabilityError %q", err, err, want)
	}
	if ce.Error() != want {
		t.Errorf("got = %q, want %q", ce.Error(), want)
	}
	if ce.Channel != channel || ce.Capability != capability {
		t.Errorf("got = channel %q capability %q, want %q %q", ce.Channel, ce.Capability, channel, capability)
	}
	if code := core.ErrorCode(err); code != core.CodeCapability {
		t.Errorf("ErrorCode got = %q, want %q", code, core.CodeCapability)
	}
}
