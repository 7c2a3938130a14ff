package messenger

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// page wraps messaging items into a webhook body of one entry.
func page(items ...string) string {
	return `{"object":"page","entry":[{"id":"108432176609215","time":1741860000412,"messaging":[` + strings.Join(items, ",") + `]}]}`
}

// item is a messaging event from contact 7001 at 2025-03-13T10:00:00.101Z.
func item(event string) string {
	return `{"sender":{"id":"7001"},"recipient":{"id":"108432176609215"},"timestamp":1741860000101,` + event + `}`
}

var at = time.Date(2025, 3, 13, 10, 0, 0, 101e6, time.UTC)

func inbound(kind core.Kind, id string) core.Inbound {
	return core.Inbound{Channel: testChannel, ChannelType: Type, Kind: kind, ProviderMessageID: id,
		Contact: core.ContactRef{ID: "7001"}, SentAt: at}
}

func TestParseEvents_converts_each_event_type(t *testing.T) {
	withText := func(in core.Inbound, text string) core.Inbound { in.Text = text; return in }
	tests := []struct {
		name string
		body string
		want event
	}{
		{"quick reply keeps its payload beside the text",
			page(item(`"message":{"mid":"m_1","text":"Red","quick_reply":{"payload":"COLOR_RED"}}`)),
			event{In: withText(inbound(core.KindMessage, "m_1"), "Red"), QuickReply: "COLOR_RED"}},
		{"a reply names the quoted message as thread key",
			page(item(`"message":{"mid":"m_2","text":"this one","reply_to":{"mid":"m_0"}}`)),
			event{In: func() core.Inbound {
				in := withText(inbound(core.KindMessage, "m_2"), "this one")
				in.ThreadKey = "m_0"
				return in
			}()}},
		{"sticker and file are media, in order",
			page(item(`"message":{"mid":"m_3","attachments":[{"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/s.png","sticker_id":369239263222822}},{"type":"file","payload":{"url":"https://cdn.fbsbx.com/v/invoice.pdf"}}]}`)),
			event{In: inbound(core.KindMessage, "m_3"), Media: []media{{"image", "https://scontent.xx.fbcdn.net/s.png"}, {"file", "https://cdn.fbsbx.com/v/invoice.pdf"}}}},
		{"a shared link arrives as fallback with its title and url",
			page(item(`"message":{"mid":"m_4","attachments":[{"type":"fallback","title":"Our store","url":"https://example.com/store","payload":null}]}`)),
			event{In: inbound(core.KindMessage, "m_4"), Unsupported: []unsupported{{"fallback", "Our store", "https://example.com/store"}}}},
		{"content Messenger flags unsupported gets a placeholder",
			page(item(`"message":{"mid":"m_5","is_unsupported":true}`)),
			event{In: inbound(core.KindMessage, "m_5"), Unsupported: []unsupported{{Type: "unsupported"}}}},
		{"postback without mid is identified by contact and time",
			page(item(`"postback":{"title":"","payload":"GET_STARTED"}`)),
			event{In: withText(inbound(core.KindPostback, "postback:7001:1741860000101"), "GET_STARTED"), Postback: &postback{Payload: "GET_STARTED"}}},
		{"reaction is the emoji, aimed at the reacted message",
			page(item(`"reaction":{"mid":"m_9","action":"react","reaction":"love","emoji":"\u2764"}`)),
			event{In: func() core.Inbound {
				in := withText(inbound(core.KindReaction, "m_9:react:7001:1741860000101"), "\u2764")
				in.Target = "m_9"
				return in
			}(), Reaction: &reaction{Mid: "m_9", Action: "react", Reaction: "love", Emoji: "\u2764"}}},
		{"taking a reaction back is a reaction without text",
			page(item(`"reaction":{"mid":"m_9","action":"unreact","reaction":"love"}`)),
			event{In: func() core.Inbound {
				in := inbound(core.KindReaction, "m_9:unreact:7001:1741860000101")
				in.Target = "m_9"
				return in
			}(), Reaction: &reaction{Mid: "m_9", Action: "unreact", Reaction: "love"}}},
		{"an edit replaces the text of its message",
			page(item(`"message_edit":{"mid":"m_1","text":"Blue, sorry","num_edit":2}`)),
			event{In: func() core.Inbound {
				in := withText(inbound(core.KindEdit, "m_1:edit:2"), "Blue, sorry")
				in.Target = "m_1"
				return in
			}()}},
		{"a delivery without mids is a watermark only",
			page(item(`"delivery":{"watermark":1741860249500}`)),
			event{In: core.Inbound{Contact: core.ContactRef{ID: "7001"}}, Watermark: &core.Watermark{
				Channel: testChannel, Kind: core.KindDelivered, Contact: "7001", Until: time.UnixMilli(1741860249500).UTC()}}},
		{"an echo is filtered",
			page(`{"sender":{"id":"108432176609215"},"recipient":{"id":"7001"},"timestamp":1,"message":{"mid":"m_e","is_echo":true,"text":"hi"}}`),
			event{In: core.Inbound{ProviderMessageID: "m_e"}, Filtered: "echo"}},
		{"an unknown event type is skipped by name",
			page(item(`"optin":{"ref":"landing"}`)),
			event{Skip: "unknown event optin"}},
		{"a read without watermark is skipped",
			page(item(`"read":{}`)),
			event{Skip: "read without watermark"}},
		{"a message without mid is skipped",
			page(item(`"message":{"text":"lost"}`)),
			event{Skip: "message without mid"}},
		{"an event without sender is skipped",
			page(`{"timestamp":1,"message":{"mid":"m_x","text":"who?"}}`),
			event{Skip: "event without sender id"}},
		{"another object than page is skipped",
			`{"object":"instagram","entry":[]}`,
			event{Skip: `object "instagram" is not a page`}},
		{"standby events of another app are skipped",
			`{"object":"page","entry":[{"id":"1","time":1,"standby":[` + item(`"message":{"mid":"m_s","text":"x"}`) + `]}]}`,
			event{Skip: "standby events (another app controls the conversation)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseEvents(testChannel, []byte(tc.body))
			if err != nil {
				t.Fatalf("parseEvents: %v", err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d events, want 1: %+v", len(got), got)
			}
			if !reflect.DeepEqual(got[0], tc.want) {
				t.Errorf("got  %+v\nwant %+v", got[0], tc.want)
			}
		})
	}
}

func TestParseEvents_refuses_bodies_that_are_not_the_webhook_shape(t *testing.T) {
	for name, body := range map[string]string{
		"empty":                   ``,
		"not json":                `object=page`,
		"json array":              `[{"object":"page"}]`,
		"no object":               `{"entry":[]}`,
		"null":                    `null`,
		"entry is an object":      `{"object":"page","entry":{}}`,
		"timestamp is a string":   page(`{"sender":{"id":"7001"},"timestamp":"soon","message":{"mid":"m","text":"x"}}`),
		"sender id is a number":   page(`{"sender":{"id":7001},"timestamp":1,"message":{"mid":"m","text":"x"}}`),
		"trailing garbage":        page(item(`"read":{"watermark":1}`)) + `}`,
		"messaging is a string":   `{"object":"page","entry":[{"id":"1","messaging":"x"}]}`,
		"mids is not a list":      page(item(`"delivery":{"mids":"m_1","watermark":1}`)),
		"watermark is fractional": page(item(`"read":{"watermark":1.5}`)),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseEvents(testChannel, []byte(body)); !errors.Is(err, errMalformed) {
				t.Fatalf("err = %v, want errMalformed", err)
			}
		})
	}
}

func TestParseEvents_keeps_payload_order_across_entries(t *testing.T) {
	body := `{"object":"page","entry":[` +
		`{"id":"1","time":1,"messaging":[` + item(`"message":{"mid":"a","text":"1"}`) + `,` + item(`"message":{"mid":"b","text":"2"}`) + `]},` +
		`{"id":"1","time":2,"messaging":[` + item(`"message":{"mid":"c","text":"3"}`) + `]}]}`
	evs, err := parseEvents(testChannel, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, ev.In.ProviderMessageID)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}

func TestStoredText_adds_a_placeholder_line_per_content_that_could_not_be_stored(t *testing.T) {
	tests := []struct {
		text   string
		unsup  []unsupported
		failed []string
		want   string
	}{
		{"hi", nil, nil, "hi"},
		{"", []unsupported{{Type: "fallback"}}, nil,
			"[Messenger: the contact sent content that cannot be shown here (fallback)]"},
		{"look", []unsupported{{"fallback", "Our store", "https://example.com/s"}}, nil,
			"look\n[Messenger: the contact sent content that cannot be shown here (fallback): Our store https://example.com/s]"},
		{"", nil, []string{"the contact sent an image that could not be downloaded (cdn answered 403)"},
			"[Messenger: the contact sent an image that could not be downloaded (cdn answered 403)]"},
	}
	for _, tc := range tests {
		if got := storedText(tc.text, tc.unsup, tc.failed); got != tc.want {
			t.Errorf("storedText(%q, %v, %v) = %q, want %q", tc.text, tc.unsup, tc.failed, got, tc.want)
		}
	}
}
