package webchat

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

func TestParseFrame(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Frame
		wantErr string
	}{
		{"hello with everything", `{"type":"hello","token":"abc.def","last":"msg_1","since":1700000000000,"consent":true,
			"user":{"id":"42","hash":"00ff","name":" Grace ","email":"Grace@Example.com"},
			"page":{"url":"https://user:pw@shop.example.com/a?b=c","title":"Shop\u0007","referrer":"https://search.example.net/"}}`,
			HelloFrame{Token: "abc.def", Last: "msg_1", Since: 1700000000000, Consent: true,
				User: &UserIdentity{ID: "42", Hash: "00ff", Name: "Grace", Email: "grace@example.com"},
				Page: PageView{URL: "https://shop.example.com/a?b=c", Title: "Shop ", Referrer: "https://search.example.net/"}}, ""},
		{"hello, bare", `{"type":"hello"}`, HelloFrame{}, ""},
		{"hello with a negative since", `{"type":"hello","since":-5}`, HelloFrame{}, ""},
		{"hello with a page that is not http", `{"type":"hello","page":{"url":"javascript:alert(1)"}}`, nil, "not an http(s) URL"},
		{"hello with a control character in the user id", `{"type":"hello","user":{"id":"a\nb","hash":"00"}}`, nil, "user id"},
		{"hello with a bad user email", `{"type":"hello","user":{"id":"a","hash":"00","email":"Grace <g@example.com>"}}`, nil, "not an email address"},
		{"message", `{"type":"message","id":"c-1_x","text":"  hi  ","files":["tok"]}`, MessageFrame{ID: "c-1_x", Text: "hi", Files: []string{"tok"}}, ""},
		{"message without text or files", `{"type":"message","id":"c1","text":"   "}`, nil, "needs text or a file"},
		{"message with a bad id", `{"type":"message","id":"../x","text":"hi"}`, nil, "id must be"},
		{"message with too many files", `{"type":"message","id":"c1","files":["1","2","3","4","5","6","7","8","9","10","11"]}`, nil, "at most 10 files"},
		{"message naming a conversation is just a message", `{"type":"message","id":"c1","text":"x","conversation":"cnv_other"}`, MessageFrame{ID: "c1", Text: "x"}, ""},
		{"typing", `{"type":"typing","typing":true}`, TypingFrame{Typing: true}, ""},
		{"ack", `{"type":"ack","ids":["msg_1","msg_2"],"read":true}`, AckFrame{IDs: []string{"msg_1", "msg_2"}, Read: true}, ""},
		{"ack without ids", `{"type":"ack","ids":[]}`, nil, "ack needs"},
		{"page", `{"type":"page","page":{"url":"https://shop.example.com/x"}}`, PageFrame{Page: PageView{URL: "https://shop.example.com/x"}}, ""},
		{"rate", `{"type":"rate","score":5,"comment":" great "}`, RateFrame{Score: 5, Comment: "great"}, ""},
		{"rate out of range", `{"type":"rate","score":6}`, nil, "1 to 5"},
		{"rate with a fraction", `{"type":"rate","score":4.5}`, nil, "1 to 5"},
		{"email", `{"type":"email","email":"Ann@Example.com"}`, EmailFrame{Email: "ann@example.com"}, ""},
		{"email that is not one", `{"type":"email","email":"nope"}`, nil, "not an email address"},
		{"code", `{"type":"code","code":" 012345 "}`, CodeFrame{Code: "012345"}, ""},
		{"code too short", `{"type":"code","code":"12345"}`, nil, "6 digits"},
		{"ping", `{"type":"ping"}`, PingFrame{}, ""},
		{"unknown type", `{"type":"teleport"}`, nil, `unknown frame type "teleport"`},
		{"no type", `{"text":"hi"}`, nil, "no type"},
		{"not JSON", `hello`, nil, "not a JSON object"},
		{"JSON array", `[1,2]`, nil, "not a JSON object"},
		{"not UTF-8", "{\"type\":\"message\",\"id\":\"a\",\"text\":\"\xff\"}", nil, "not UTF-8"},
		{"too large", `{"type":"message","id":"a","text":"` + strings.Repeat("x", MaxFrameBytes) + `"}`, nil, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFrame([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// FuzzParseFrame checks that no visitor input makes the parser panic, and
// that what it accepts is within the limits the session relies on.
func FuzzParseFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"hello","token":"dg.x","last":"msg_1","since":1,"user":{"id":"1","hash":"ab"},"page":{"url":"https://a.example/"}}`,
		`{"type":"message","id":"c1","text":"hi","files":["t"]}`,
		`{"type":"ack","ids":["m"],"read":true}`,
		`{"type":"rate","score":3,"comment":"ok"}`,
		`{"type":"code","code":"123456"}`,
		`{"type":"email","email":"a@example.com"}`,
		`{"type":"typing","typing":true}`,
		`{"type":"page","page":{"url":"http://x.example/?q=1","title":"t"}}`,
		`{"type":"ping"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ParseFrame(data)
		if err != nil {
			if fr != nil {
				t.Fatal("a frame returned with an error")
			}
			return
		}
		switch fr := fr.(type) {
		case MessageFrame:
			if !clientIDRE.MatchString(fr.ID) || len(fr.Files) > MaxFiles || !utf8.ValidString(fr.Text) || (fr.Text == "" && len(fr.Files) == 0) {
				t.Fatalf("accepted a bad message %#v", fr)
			}
		case AckFrame:
			if len(fr.IDs) == 0 || len(fr.IDs) > MaxAckIDs {
				t.Fatalf("accepted %d ack ids", len(fr.IDs))
			}
		case RateFrame:
			if fr.Score < 1 || fr.Score > 5 {
				t.Fatalf("accepted score %d", fr.Score)
			}
		case CodeFrame:
			if !codeRE.MatchString(fr.Code) {
				t.Fatalf("accepted code %q", fr.Code)
			}
		case HelloFrame:
			if len(fr.Token) > 1024 || fr.Since < 0 || (fr.User != nil && fr.User.ID == "") {
				t.Fatalf("accepted hello %#v", fr)
			}
		}
	})
}

func TestParseUserAgent(t *testing.T) {
	tests := []struct {
		ua                  string
		browser, os, device string
	}{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
			"Chrome 138", "Windows 10/11", DeviceDesktop},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0",
			"Edge 138", "Windows 10/11", DeviceDesktop},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
			"Safari 18", "macOS 10.15", DeviceDesktop},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", "Firefox 140", "Linux", DeviceDesktop},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
			"Safari 18", "iOS 18.5", DeviceMobile},
		{"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1",
			"Chrome 126", "iPadOS 17.4", DeviceTablet},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36",
			"Chrome 138", "Android 14", DeviceMobile},
		{"Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36",
			"Samsung Internet 25", "Android 13", DeviceTablet},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "", "", DeviceBot},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		b, os, d := ParseUserAgent(tt.ua)
		if b != tt.browser || os != tt.os || d != tt.device {
			t.Errorf("ParseUserAgent(%.60q) = %q, %q, %q, want %q, %q, %q", tt.ua, b, os, d, tt.browser, tt.os, tt.device)
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	big := int64(200 << 20)
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"minimal", Config{Secret: testSecret}, ""},
		{"everything", Config{Secret: testSecret, Color: "#abc", Locale: "de-CH", AllowedOrigins: []string{"*", "https://*.example.com", "http://localhost:3000"}}, ""},
		{"no secret", Config{}, "secret is required"},
		{"short secret", Config{Secret: "short"}, "too short"},
		{"bad colour", Config{Secret: testSecret, Color: "blue"}, "color"},
		{"bad locale", Config{Secret: testSecret, Locale: "english!"}, "locale"},
		{"origin with a path", Config{Secret: testSecret, AllowedOrigins: []string{"https://example.com/shop"}}, "allowed_origins[0]"},
		{"origin without scheme", Config{Secret: testSecret, AllowedOrigins: []string{"example.com"}}, "allowed_origins[0]"},
		{"wildcard in the middle", Config{Secret: testSecret, AllowedOrigins: []string{"https://a.*.example.com"}}, "leading"},
		{"negative timeout", Config{Secret: testSecret, ConversationTimeout: -1}, "conversation_timeout"},
		{"capabilities wider than the channel", Config{Secret: testSecret, Capabilities: capOverride(big)}, "max_attachment_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestTokens_are_bound_to_channel_and_visitor(t *testing.T) {
	k := deriveKeys(testSecret)
	tok := k.visitorToken("web", "v_abc")
	if got := k.visitorOf("web", tok); got != "v_abc" {
		t.Fatalf("visitorOf = %q, want v_abc", got)
	}
	if got := k.visitorOf("other", tok); got != "" {
		t.Errorf("token of channel web accepted by channel other: %q", got)
	}
	if got := deriveKeys(testSecret+"x").visitorOf("web", tok); got != "" {
		t.Errorf("token accepted under another secret: %q", got)
	}
	for _, bad := range []string{"", ".", "djE", tok + "x", "dl9hYmQ." + strings.Split(tok, ".")[1]} {
		if got := k.visitorOf("web", bad); got != "" {
			t.Errorf("visitorOf(%q) = %q, want refused", bad, got)
		}
	}
	if !k.identityOK("42", IdentityHash(testSecret, "42")) || k.identityOK("42", IdentityHash(testSecret, "43")) {
		t.Error("identity HMAC check is wrong")
	}
}

func capOverride(max int64) core.CapabilityOverride {
	return core.CapabilityOverride{MaxAttachmentSize: &max}
}
