package email

import (
	"fmt"
	"testing"
)

func TestThreadOf_keys_and_hub_message(t *testing.T) {
	tests := []struct {
		name       string
		inReplyTo  string
		references []string
		wantKey    string
		wantHub    string
	}{
		{"new mail", "", nil, "own@example.org", ""},
		{"reply by In-Reply-To only", "x@example.org", nil, "x@example.org", ""},
		{"first References id is the key", "b@example.org", []string{"a@example.org", "b@example.org"}, "a@example.org", ""},
		{"In-Reply-To on the hub's domain", "h2@HUB.example.com", []string{"a@example.org", "h1@hub.example.com"}, "a@example.org", "h2@HUB.example.com"},
		{"else the last References id on it", "c@example.org", []string{"h1@hub.example.com", "h2@hub.example.com", "c@example.org"}, "h1@hub.example.com", "h2@hub.example.com"},
		{"a subdomain is not the hub's", "h@x.hub.example.com", nil, "h@x.hub.example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := ThreadOf(&Mail{MessageID: "own@example.org", InReplyTo: tt.inReplyTo, References: tt.references}, hubDomain)
			if th.Key != tt.wantKey || th.HubMessageID != tt.wantHub || th.IsReply != (tt.inReplyTo != "" || len(tt.references) > 0) {
				t.Errorf("thread = %+v, want key %q hub %q", th, tt.wantKey, tt.wantHub)
			}
		})
	}
}

func TestThread_candidates_are_specific_first_unique_and_bounded(t *testing.T) {
	var refs []string
	for i := range 40 {
		refs = append(refs, fmt.Sprintf("r%d@example.org", i))
	}
	th := Thread{HubMessageID: "r39@example.org", InReplyTo: "r39@example.org", References: refs}
	got := th.candidates()
	if len(got) != 20 || got[0] != "r39@example.org" || got[1] != "r38@example.org" {
		t.Errorf("candidates = %v, want 20 from the newest, no repeats", got)
	}
}

func TestNormaliseSubject(t *testing.T) {
	tests := map[string]string{
		"Broken zipper":                                  "broken zipper",
		"Re: Broken zipper":                              "broken zipper",
		"RE: Fwd: AW:  broken   zipper ":                 "broken zipper",
		"[Shop] Re[2]: Broken zipper":                    "broken zipper",
		"Sv: Vs: Antw: WG: TR: Order 5":                  "order 5",
		"Re: Re: Re:":                                    "",
		"Reorder of parts":                               "reorder of parts",
		"[a very long tag that goes on and on and on] x": "[a very long tag that goes on and on and on] x",
	}
	for in, want := range tests {
		if got := NormaliseSubject(in); got != want {
			t.Errorf("NormaliseSubject(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReplyToken(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"reply+abcdefgh12345678@reply.example.com", "abcdefgh12345678"},
		{"REPLY+ABCDEFGH12345678@Reply.Example.com", "abcdefgh12345678"},
		{"reply+abcdefgh12345678@other.example.com", ""},
		{"reply+short@reply.example.com", ""},
		{"reply+has.dots.in.it@reply.example.com", ""},
		{"support@reply.example.com", ""},
		{"no-at-sign", ""},
	}
	for _, tt := range tests {
		if got := replyToken(tt.addr, replyDomain); got != tt.want {
			t.Errorf("replyToken(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
	if tok := newToken(); replyToken("reply+"+tok+"@"+replyDomain, replyDomain) != tok {
		t.Errorf("a fresh token %q does not read back", tok)
	}
}
