package webchat

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestVisitors_cannot_see_each_others_messages_even_with_forged_ids(t *testing.T) {
	f := newFixture(t, Config{})
	alice := f.connect(nil)
	bob := f.connect(nil)
	if alice.welcome.str("visitor") == bob.welcome.str("visitor") {
		t.Fatal("two new visitors got the same visitor id")
	}
	aliceMsg := alice.write("a1", "my order number is 1234")
	aliceConv := aliceMsg.str("conversation")
	reply := f.reply(aliceConv, "Alice, your order ships today")
	if got := alice.next("message").message(); got.str("id") != reply.ID {
		t.Fatalf("alice got %v, want the reply %s", got, reply.ID)
	}

	// Bob forges everything a frame could name: Alice's conversation in
	// his message, her message ids in his acknowledgements and as his
	// resume cursor, her widget id for his own message.
	bob.send(map[string]any{"type": "message", "id": "a1", "text": "let me into alice's chat", "conversation": aliceConv, "conversation_id": aliceConv})
	bobMsg := bob.next("sent").message()
	if bobMsg.str("conversation") == aliceConv {
		t.Fatal("bob's message went into alice's conversation")
	}
	if bobMsg.str("id") == aliceMsg.str("id") {
		t.Fatal("bob reusing alice's widget id was taken as a duplicate of her message")
	}
	bob.send(map[string]any{"type": "ack", "ids": []string{reply.ID}, "read": true})
	rejoin := f.connect(map[string]any{"token": bob.token(), "last": aliceMsg.str("id")})
	if !rejoin.welcome["reset"].(bool) {
		t.Error("a cursor naming another visitor's message was not treated as unknown")
	}
	for _, m := range rejoin.welcome.list("history") {
		if m.str("conversation") == aliceConv || strings.Contains(m.str("text"), "order") {
			t.Fatalf("bob's history holds alice's message %v", m)
		}
	}
	if got := texts(rejoin.welcome.list("history")); !slices.Equal(got, []string{"let me into alice's chat"}) {
		t.Errorf("bob's history = %q, want only his own message", got)
	}

	// Nothing of Bob's reached Alice, and her reply stays unread by him.
	for _, fr := range alice.quiet(300 * time.Millisecond) {
		if strings.Contains(fr.message().str("text"), "alice's chat") {
			t.Fatalf("alice received bob's message: %v", fr)
		}
	}
	stored, _ := f.store.Message(context.Background(), reply.ID)
	if stored.Status == core.DeliveryRead || stored.Status == core.DeliveryDelivered {
		t.Errorf("bob's acknowledgement marked alice's message %s", stored.Status)
	}

	// A token is bound to its visitor: a tampered one starts afresh.
	forged := f.connect(map[string]any{"token": alice.token()[:len(alice.token())-2] + "xx"})
	if forged.welcome.str("visitor") == alice.welcome.str("visitor") || len(forged.welcome.list("history")) != 0 {
		t.Fatalf("a tampered token got alice's identity or history: %v", forged.welcome)
	}
}

func TestReconnect_after_20_messages_sent_offline_delivers_exactly_those_in_order(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	first := v.write("m1", "hello")
	conv := first.str("conversation")
	greeting := f.reply(conv, "hi, how can I help?")
	if got := v.next("message").message().str("id"); got != greeting.ID {
		t.Fatalf("live reply id = %s, want %s", got, greeting.ID)
	}
	v.ws.CloseNow()

	want := sprintfAll("offline reply %d", 20)
	for _, text := range want {
		f.reply(conv, text)
	}
	back := f.connect(map[string]any{"token": v.token(), "last": greeting.ID, "since": v.welcome["now"]})
	if back.welcome["reset"].(bool) {
		t.Fatal("resume with a known cursor was answered with a reset")
	}
	got := back.welcome.list("history")
	if !slices.Equal(texts(got), want) {
		t.Fatalf("resumed history = %q, want the 20 offline replies in order", texts(got))
	}
	if extra := back.quiet(300 * time.Millisecond); len(extra) != 0 {
		t.Fatalf("after the resume the socket got %d more frames (%v), want none", len(extra), extra)
	}

	// A new tab (no cursor) reloads the whole history.
	tab := f.connect(map[string]any{"token": v.token()})
	if n := len(tab.welcome.list("history")); n != 22 {
		t.Errorf("a new tab's history has %d messages, want 22", n)
	}
}

func TestReconnect_learns_of_deletions_while_away_and_live(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	conv := v.write("m1", "hello").str("conversation")
	m1 := f.reply(conv, "first")
	m2 := f.reply(conv, "second")
	v.next("message")
	v.next("message")

	if _, err := f.hub.DeleteSent(context.Background(), f.op, m1.ID); err != nil {
		t.Fatal(err)
	}
	if got := v.next("deleted").str("id"); got != m1.ID {
		t.Fatalf("live deletion of %s, want %s", got, m1.ID)
	}
	since := v.welcome["now"]
	v.ws.CloseNow()
	if _, err := f.hub.DeleteSent(context.Background(), f.op, m2.ID); err != nil {
		t.Fatal(err)
	}
	back := f.connect(map[string]any{"token": v.token(), "last": m2.ID, "since": since})
	if got := back.welcome["deleted"]; got == nil || !slices.Contains(toStrings(got), m2.ID) {
		t.Fatalf("welcome deleted = %v, want %s deleted while away", got, m2.ID)
	}
	tab := f.connect(map[string]any{"token": v.token()})
	for _, m := range tab.welcome.list("history") {
		if m.str("id") == m1.ID || m.str("id") == m2.ID {
			if m["deleted"] != true || m.str("text") != "" {
				t.Errorf("deleted message in history = %v, want a marker without text", m)
			}
		}
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestHello_identity(t *testing.T) {
	f := newFixture(t, Config{})
	good := IdentityHash(testSecret, "user-42")
	tests := []struct {
		name     string
		user     map[string]any
		wantCode string
	}{
		{"good HMAC is accepted", map[string]any{"id": "user-42", "hash": good, "name": "Grace"}, ""},
		{"bad HMAC is refused", map[string]any{"id": "user-42", "hash": strings.Repeat("0", 64)}, "identity_refused"},
		{"HMAC of another user is refused", map[string]any{"id": "user-43", "hash": good}, "identity_refused"},
		{"missing HMAC is refused", map[string]any{"id": "user-42"}, "identity_refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := f.open(map[string]any{"user": tt.user})
			fr := <-v.frames
			if tt.wantCode == "" {
				if fr.str("type") != "welcome" || fr.str("visitor") != "u:user-42" || fr["identified"] != true {
					t.Fatalf("frame = %v, want a welcome of u:user-42", fr)
				}
				return
			}
			if fr.str("type") != "error" || fr.str("code") != tt.wantCode {
				t.Fatalf("frame = %v, want error %s", fr, tt.wantCode)
			}
			if _, ok := <-v.frames; ok {
				t.Error("the socket stayed open after the refusal")
			}
		})
	}
}

func TestIdentified_user_sees_the_same_history_on_another_device_but_not_after_logout(t *testing.T) {
	f := newFixture(t, Config{})
	user := map[string]any{"id": "user-7", "hash": IdentityHash(testSecret, "user-7"), "name": "Grace Hopper", "email": "grace@example.com"}
	laptop := f.connect(map[string]any{"user": user})
	msg := laptop.write("x1", "question from my laptop")
	phone := f.connect(map[string]any{"user": user})
	if got := texts(phone.welcome.list("history")); !slices.Equal(got, []string{"question from my laptop"}) {
		t.Fatalf("phone history = %q, want the laptop's message", got)
	}
	contact, _ := f.store.Contact(context.Background(), f.conversationOf(msg.str("id")).ContactID)
	if contact.Name != "Grace Hopper" || contact.Email != "grace@example.com" || !contact.Verified {
		t.Errorf("contact = %+v, want the site's name and email, verified", contact)
	}
	loggedOut := f.connect(map[string]any{"token": laptop.token()})
	if len(loggedOut.welcome.list("history")) != 0 || loggedOut.welcome.str("visitor") == "u:user-7" {
		t.Fatal("the token of a signed-in user opened their chat without their signature")
	}
}

func TestSocket_origin_check(t *testing.T) {
	f := newFixture(t, Config{AllowedOrigins: []string{"https://shop.example.com", "https://*.example.org"}})
	tests := []struct {
		origin string
		want   int
	}{
		{"https://shop.example.com", http.StatusSwitchingProtocols},
		{"https://www.example.org", http.StatusSwitchingProtocols},
		{f.srv.URL, http.StatusSwitchingProtocols}, // the hub's own /demo page
		{"https://evil.example.net", http.StatusForbidden},
		{"http://shop.example.com", http.StatusForbidden}, // scheme matters
		{"https://example.org", http.StatusForbidden},     // *. admits subdomains only
		{"", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			ws, resp, err := f.dial(h)
			if ws != nil {
				ws.CloseNow()
			}
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestSocket_without_hello_or_with_garbage_is_closed_and_stores_nothing(t *testing.T) {
	f := newFixture(t, Config{})
	ws, _, err := f.dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	v := &visitor{t: t, ws: ws}
	v.frames = make(chan frame, 8)
	go func() {
		defer close(v.frames)
		for {
			_, _, err := ws.Read(context.Background())
			if err != nil {
				return
			}
		}
	}()
	v.send(map[string]any{"type": "message", "id": "x", "text": "no hello first"})
	select {
	case <-v.frames:
	case <-time.After(5 * time.Second):
		t.Fatal("a socket whose first frame is not a hello stayed open")
	}
	if n, _ := f.store.Conversations(context.Background(), core.ConversationQuery{View: core.ViewAll}); len(n) != 0 {
		t.Errorf("%d conversations stored, want none", len(n))
	}
}

func TestSession_answers_bad_frames_with_an_error_and_stays_open(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	v.send(map[string]any{"type": "teleport"})
	if got := v.next("error"); got.str("code") != "bad_frame" {
		t.Fatalf("error = %v, want bad_frame", got)
	}
	v.send(map[string]any{"type": "ping"})
	v.next("pong")
}

func TestMessages_from_one_tab_reach_the_visitors_other_tabs_once(t *testing.T) {
	f := newFixture(t, Config{})
	one := f.connect(nil)
	two := f.connect(map[string]any{"token": one.token()})
	m := one.write("t1", "typed in tab one")
	if got := two.next("message").message(); got.str("id") != m.str("id") {
		t.Fatalf("tab two got %v, want %s", got, m.str("id"))
	}
	one.send(map[string]any{"type": "message", "id": "t1", "text": "typed in tab one"}) // resend after a reconnect
	if again := one.next("sent").message(); again.str("id") != m.str("id") {
		t.Fatalf("resend stored %s, want the first %s", again.str("id"), m.str("id"))
	}
	for _, fr := range two.quiet(300 * time.Millisecond) {
		if fr.str("type") == "message" {
			t.Fatalf("a resend reached the other tab again: %v", fr)
		}
	}
}

func TestMessage_text_is_stored_masked_and_shown_masked(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	m := v.write("c1", "my card is 4111 1111 1111 1111")
	if got := m.str("text"); got != "my card is **** **** **** 1111" {
		t.Fatalf("text = %q, want the card masked", got)
	}
}

func TestConversation_timeout_starts_a_new_conversation(t *testing.T) {
	f := newFixture(t, Config{ConversationTimeout: time.Hour})
	now := time.Now()
	f.ad.now = func() time.Time { return now }
	v := f.connect(nil)
	first := v.write("1", "morning question").str("conversation")
	if again := v.write("2", "follow-up").str("conversation"); again != first {
		t.Fatalf("a message within the timeout went to %s, want %s", again, first)
	}
	now = now.Add(2 * time.Hour)
	later := v.write("3", "afternoon question").str("conversation")
	if later == first {
		t.Fatal("a message after the conversation timeout continued the old conversation")
	}
}
