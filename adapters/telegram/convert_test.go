package telegram

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// privateMsg wraps message fields into an update from user 42 in their
// private chat.
func privateMsg(key, fields string) string {
	return `{"update_id":7,"` + key + `":{"message_id":5,"date":1741857000,` +
		`"from":{"id":42,"is_bot":false,"first_name":"Ada","last_name":"Byron","username":"ada"},` +
		`"chat":{"id":42,"first_name":"Ada","type":"private"}` + fields + `}}`
}

func mustConvert(t *testing.T, body string) event {
	t.Helper()
	u, err := parseUpdate([]byte(body))
	if err != nil {
		t.Fatalf("parseUpdate: %v", err)
	}
	ev, err := convert(u)
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	return ev
}

func TestConvert_message_kinds(t *testing.T) {
	sent := time.Unix(1741857000, 0).UTC()
	ada := contact{ID: "42", Name: "Ada Byron", Username: "ada"}
	tests := []struct {
		name string
		body string
		want event
	}{
		{"text", privateMsg("message", `,"text":"hello"`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, Text: "hello", SentAt: sent}},
		{"audio keeps its name and type", privateMsg("message", `,"audio":{"file_id":"A1","file_unique_id":"u","duration":3,"file_name":"song.m4a","mime_type":"audio/mp4","file_size":900}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, SentAt: sent,
				Media: []media{{Type: "audio", FileID: "A1", Filename: "song.m4a", MIMEType: "audio/mp4", Size: 900, Duration: 3}}}},
		{"video with caption", privateMsg("message", `,"caption":"look","video":{"file_id":"V1","file_unique_id":"u","width":1,"height":1,"duration":9,"file_size":5000}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, Text: "look", SentAt: sent,
				Media: []media{{Type: "video", FileID: "V1", Filename: "video.mp4", MIMEType: "video/mp4", Size: 5000, Duration: 9}}}},
		{"animation is one video, not also a document", privateMsg("message", `,"animation":{"file_id":"G1","file_unique_id":"u","width":1,"height":1,"duration":2,"file_name":"cat.mp4","mime_type":"video/mp4","file_size":70},"document":{"file_id":"G1","file_unique_id":"u","file_name":"cat.mp4","mime_type":"video/mp4","file_size":70}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, SentAt: sent,
				Media: []media{{Type: "video", FileID: "G1", Filename: "cat.mp4", MIMEType: "video/mp4", Size: 70, Duration: 2}}}},
		{"animated sticker", privateMsg("message", `,"sticker":{"file_id":"S1","file_unique_id":"u","width":512,"height":512,"is_animated":true,"is_video":false,"emoji":"🎉","file_size":10}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, SentAt: sent, StickerEmoji: "🎉",
				Media: []media{{Type: "sticker", FileID: "S1", Filename: "sticker.tgs", MIMEType: "application/x-tgsticker", Size: 10}}}},
		{"video sticker", privateMsg("message", `,"sticker":{"file_id":"S2","file_unique_id":"u","width":512,"height":512,"is_animated":false,"is_video":true,"file_size":11}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, SentAt: sent,
				Media: []media{{Type: "sticker", FileID: "S2", Filename: "sticker.webm", MIMEType: "video/webm", Size: 11}}}},
		{"location as text with a map link", privateMsg("message", `,"location":{"latitude":52.5163,"longitude":13.3777}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, SentAt: sent,
				Text: "Location: 52.5163, 13.3777\nhttps://www.google.com/maps/search/?api=1&query=52.5163,13.3777"}},
		{"venue with title and address", privateMsg("message", `,"location":{"latitude":1.5,"longitude":2},"venue":{"location":{"latitude":1.5,"longitude":2},"title":"Shop","address":"Main St 1"}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, SentAt: sent,
				Text: "Shop\nMain St 1\nLocation: 1.5, 2\nhttps://www.google.com/maps/search/?api=1&query=1.5,2"}},
		{"someone else's contact keeps the sender's phone unset", privateMsg("message", `,"contact":{"phone_number":"+49 151 2345678","first_name":"Bob","user_id":77}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, SentAt: sent,
				Shared: &sharedContact{PhoneE164: "+491512345678", Name: "Bob", UserID: "77"}}},
		{"content the library cannot read becomes a placeholder", privateMsg("message", `,"story":{"chat":{"id":1,"type":"private"},"id":3}`),
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: ada, SentAt: sent, Text: unsupportedPlacehold}},
		{"edit of a caption", privateMsg("edited_message", `,"edit_date":1741857060,"caption":"new caption"`),
			event{UpdateID: 7, Kind: core.KindEdit, Target: "42:5", Contact: ada, Text: "new caption", SentAt: sent.Add(time.Minute)}},
		{"sender missing: the private chat names the contact", `{"update_id":7,"message":{"message_id":5,"date":1741857000,"chat":{"id":42,"first_name":"Ada","last_name":"B","username":"ada","type":"private"},"text":"hi"}}`,
			event{UpdateID: 7, Kind: core.KindMessage, ProviderMessageID: "42:5", Contact: contact{ID: "42", Name: "Ada B", Username: "ada"}, Text: "hi", SentAt: sent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustConvert(t, tt.body)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestConvert_skips_what_is_not_a_customer_message(t *testing.T) {
	group := `{"update_id":8,"%s":{"message_id":1,"date":1,"chat":{"id":-100,"title":"G","type":"%s"},"text":"x"}}`
	tests := []struct {
		name, body, reason, detail string
	}{
		{"group", strings.Replace(strings.Replace(group, "%s", "message", 1), "%s", "group", 1), SkipNonPrivateChat, "group"},
		{"edit in a supergroup", strings.Replace(strings.Replace(group, "%s", "edited_message", 1), "%s", "supergroup", 1), SkipNonPrivateChat, "supergroup"},
		{"channel post", strings.Replace(strings.Replace(group, "%s", "channel_post", 1), "%s", "channel", 1), SkipNonPrivateChat, "channel_post"},
		{"edited channel post", strings.Replace(strings.Replace(group, "%s", "edited_channel_post", 1), "%s", "channel", 1), SkipNonPrivateChat, "edited_channel_post"},
		{"button under a group message", `{"update_id":8,"callback_query":{"id":"c1","from":{"id":1,"is_bot":false,"first_name":"A"},"chat_instance":"1","data":"x","message":{"message_id":1,"date":1,"chat":{"id":-5,"type":"group"}}}}`, SkipNonPrivateChat, "group"},
		{"button of an inline message", `{"update_id":8,"callback_query":{"id":"c1","from":{"id":1,"is_bot":false,"first_name":"A"},"chat_instance":"1","inline_message_id":"i","data":"x"}}`, SkipUnsupported, "inline callback_query"},
		{"kind the library knows", `{"update_id":8,"poll":{"id":"p","question":"q","options":[],"total_voter_count":0,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}}`, SkipUnsupported, "poll"},
		{"kind newer than the library", `{"update_id":8,"message_reaction":{"chat":{"id":1,"type":"private"}}}`, SkipUnsupported, "message_reaction"},
		{"pinned message notice", privateMsg("message", `,"pinned_message":{"message_id":2,"date":1,"chat":{"id":42,"type":"private"},"text":"x"}`), SkipServiceMessage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustConvert(t, tt.body)
			if got.Skip != tt.reason || got.SkipDetail != tt.detail {
				t.Errorf("skip = %q %q, want %q %q", got.Skip, got.SkipDetail, tt.reason, tt.detail)
			}
		})
	}
}

func TestParseUpdate_malformed_input_is_refused(t *testing.T) {
	for _, body := range []string{
		``, `not json`, `[]`, `{}`, `{"update_id":0,"message":{}}`, `{"update_id":-3}`,
		`{"update_id":"1"}`, `{"update_id":1,"message":"hi"}`, `{"update_id":1,"message":{"message_id":"x"}}`,
		`{"update_id":1,"callback_query":{"id":5}}`,
	} {
		if _, err := parseUpdate([]byte(body)); !errors.Is(err, errMalformed) {
			t.Errorf("parseUpdate(%q) = %v, want errMalformed", body, err)
		}
	}
	u, err := parseUpdate([]byte(`{"update_id":1,"message":{"message_id":3,"date":1,"text":"no chat"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := convert(u); !errors.Is(err, errMalformed) {
		t.Errorf("convert of a message without chat = %v, want errMalformed", err)
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := map[string]string{
		"14155550188": "+14155550188", "+44 20 7946 0958": "+442079460958", "(030) 123-4567": "", "1 (415) 555-0188": "+14155550188",
		"12345": "", "+1 415 555 0188 ext 2": "", "1234567890123456": "", "": "",
	}
	for in, want := range tests {
		if got := normalizePhone(in); got != want {
			t.Errorf("normalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}
