package webchat

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestOperator_typing_reaches_the_visitor(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	conv := v.write("m", "hi").str("conversation")
	if err := f.hub.OperatorTyping(context.Background(), f.op, conv, true); err != nil {
		t.Fatal(err)
	}
	if got := v.next("typing"); got["typing"] != true || got.str("operator") != "Ann" {
		t.Fatalf("typing = %v, want Ann typing", got)
	}
}

func TestVisitor_typing_is_passed_to_the_hub_throttled(t *testing.T) {
	f := newFixture(t, Config{})
	var mu sync.Mutex
	var kinds []core.Kind
	inner := f.ad.recv
	f.ad.recv = receiverFunc(func(ctx context.Context, in core.Inbound) (core.Receipt, error) {
		if in.Kind == core.KindTyping {
			mu.Lock()
			kinds = append(kinds, in.Kind)
			mu.Unlock()
		}
		return inner.Receive(ctx, in)
	})
	v := f.connect(nil)
	for i := 0; i < 5; i++ {
		v.send(map[string]any{"type": "typing", "typing": true})
	}
	v.send(map[string]any{"type": "typing", "typing": false})
	v.send(map[string]any{"type": "ping"})
	v.next("pong")
	mu.Lock()
	defer mu.Unlock()
	if len(kinds) != 2 {
		t.Fatalf("typing events passed on = %d, want 2 (start once, then stop)", len(kinds))
	}
}

func TestAcks_become_delivered_and_read_receipts(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	conv := v.write("m", "hi").str("conversation")
	reply := f.reply(conv, "hello there")
	v.next("message")
	status := func() core.DeliveryStatus {
		m, _ := f.store.Message(context.Background(), reply.ID)
		return m.Status
	}
	v.send(map[string]any{"type": "ack", "ids": []string{reply.ID}})
	f.waitFor("delivered", func() bool { return status() == core.DeliveryDelivered })
	v.send(map[string]any{"type": "ack", "ids": []string{reply.ID}, "read": true})
	f.waitFor("read", func() bool { return status() == core.DeliveryRead })
}

func TestAck_before_the_hub_recorded_the_send_is_applied_once_it_has(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	conv := v.write("m", "hi").str("conversation")
	m, err := f.hub.Send(context.Background(), f.op, conv, core.Reply{Text: "racing"})
	if err != nil {
		t.Fatal(err)
	}
	// The adapter pushes, the widget acknowledges, and only then does the
	// hub record the send (and the provider id the receipt names).
	f.ad.Send(context.Background(), core.Outbound{MessageID: m.ID, ConversationID: conv, To: core.ContactRef{ID: v.welcome.str("visitor")}, Text: m.Text})
	v.next("message")
	v.send(map[string]any{"type": "ack", "ids": []string{m.ID}, "read": true})
	time.Sleep(150 * time.Millisecond)
	f.pump()
	f.waitFor("the early read receipt to apply", func() bool {
		got, _ := f.store.Message(context.Background(), m.ID)
		return got.Status == core.DeliveryRead
	})
}

func TestPresence_changes_reach_visitors(t *testing.T) {
	f := newFixture(t, Config{PresenceTick: 20 * time.Millisecond})
	v := f.connect(nil)
	if v.welcome["online"] != true {
		t.Fatalf("welcome online = %v with an operator online", v.welcome["online"])
	}
	if err := f.hub.SetPresence(context.Background(), f.op.ID, core.Away); err != nil {
		t.Fatal(err)
	}
	if got := v.next("presence"); got["online"] != false {
		t.Fatalf("presence = %v, want offline", got)
	}
}

func TestPresence_counts_only_the_widgets_group(t *testing.T) {
	f := newFixture(t, Config{Group: "sales"})
	if f.ad.operatorsOnline(context.Background()) {
		t.Fatal("an online operator outside the widget's group counted as online")
	}
}

func TestVisitor_presence_drives_the_live_label(t *testing.T) {
	f := newFixture(t, Config{OfflineGrace: 50 * time.Millisecond})
	v := f.connect(nil)
	m := v.write("m", "hi")
	live := func() bool { return f.conversationOf(m.str("id")).Live }
	if !live() {
		t.Fatal("conversation not LIVE while visitor and operator are online")
	}
	v.ws.CloseNow()
	f.waitFor("LIVE to drop after the visitor left", func() bool { return !live() })
	f.connect(map[string]any{"token": v.token()})
	f.waitFor("LIVE to return with the visitor", live)
}

func TestRating_is_asked_only_online_and_stored(t *testing.T) {
	f := newFixture(t, Config{OfflineGrace: time.Millisecond})
	ctx := context.Background()
	v := f.connect(nil)
	m := v.write("m", "thanks for the help")
	conv := m.str("conversation")
	if _, err := f.hub.Execute(ctx, f.op, conv, "$rating"); err != nil {
		t.Fatalf("$rating with the visitor online: %v", err)
	}
	v.next("rating")
	reload := f.connect(map[string]any{"token": v.token()})
	if reload.welcome["rating"] != true {
		t.Error("a reload lost the pending rating prompt")
	}
	v.send(map[string]any{"type": "rate", "score": 4, "comment": "quick answer"})
	v.next("rated")
	r, ok := f.ad.RatingOf(ctx, conv)
	if !ok || r.Score != 4 || r.Comment != "quick answer" {
		t.Fatalf("rating = %+v %v, want 4 with the comment", r, ok)
	}
	msgs, _ := f.store.Messages(ctx, conv)
	last := msgs[len(msgs)-1]
	if last.Kind != core.KindPostback || !strings.Contains(last.Text, "4/5") || !strings.Contains(last.Text, "quick answer") {
		t.Errorf("transcript ends with %+v, want the rating", last)
	}
	v.send(map[string]any{"type": "rate", "score": 1})
	if got := v.next("error"); got.str("code") != "no_rating" {
		t.Errorf("an unasked rating: %v, want no_rating", got)
	}

	v.ws.CloseNow()
	reload.ws.CloseNow()
	f.waitFor("the visitor to be gone", func() bool { return !f.ad.reg.online(v.welcome.str("visitor")) })
	_, err := f.hub.Execute(ctx, f.op, conv, "$rating")
	if core.ErrorCode(err) != core.CodeCapability || !strings.Contains(err.Error(), "not in the web chat") {
		t.Fatalf("$rating with the visitor offline: %v, want the reason", err)
	}
}

func TestPushMacro_is_refused_offline_and_opens_the_page_online(t *testing.T) {
	f := newFixture(t, Config{OfflineGrace: time.Millisecond})
	ctx := context.Background()
	v := f.connect(nil)
	conv := v.write("m", "where are your prices?").str("conversation")
	if _, err := f.hub.SaveMacro(ctx, f.op, core.Macro{Name: "pricing", Text: "push: https://shop.example.com/pricing Our prices"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.Execute(ctx, f.op, conv, "!pricing"); err != nil {
		t.Fatal(err)
	}
	f.pump()
	got := v.next("message").message()
	push, _ := got["push"].(map[string]any)
	if push["url"] != "https://shop.example.com/pricing" || push["label"] != "Our prices" {
		t.Fatalf("push = %v, want the page and its label", got)
	}
	v.ws.CloseNow()
	f.waitFor("the visitor to be gone", func() bool { return !f.ad.reg.online(v.welcome.str("visitor")) })
	_, err := f.hub.Execute(ctx, f.op, conv, "!pricing")
	if core.ErrorCode(err) != core.CodeCapability {
		t.Fatalf("push macro to an offline visitor: %v, want a capability refusal", err)
	}
}

func TestWebTransfer_link_continues_the_contact_in_the_web_chat(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	// A contact of another channel, as a webhook channel would store them.
	other := &fakeChannel{}
	hub, err := core.NewHub(core.HubConfig{Store: f.store, Blobs: f.blobs, Channels: []core.ChannelInfo{
		{Name: "web", Type: Type, Adapter: f.ad}, {Name: "crm", Type: "webhook", Adapter: other},
	}})
	if err != nil {
		t.Fatal(err)
	}
	f.hub = hub
	f.hub.SetPresence(ctx, f.op.ID, core.Online)
	r, err := f.hub.Receive(ctx, core.Inbound{Channel: "crm", Kind: core.KindMessage, ProviderMessageID: "c1",
		Contact: core.ContactRef{ID: "crm-9", Name: "Dana"}, Text: "can we chat instead?"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.hub.Execute(ctx, f.op, r.ConversationID, "$webtransfer")
	if err != nil {
		t.Fatal(err)
	}
	link := res.Message.Text[strings.Index(res.Message.Text, "http"):]
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("continue page: status %d", resp.StatusCode)
	}
	u, _ := url.Parse(link)
	v := f.connect(map[string]any{"transfer": u.Query().Get("t")})
	m := v.write("t1", "here I am")
	if got := f.conversationOf(m.str("id")).ContactID; got != r.ContactID {
		t.Fatalf("web chat contact = %s, want the crm contact %s", got, r.ContactID)
	}
	again := f.connect(map[string]any{"transfer": u.Query().Get("t")})
	if again.welcome.str("visitor") != v.welcome.str("visitor") {
		t.Error("opening the link again gave another visitor")
	}
	bad := f.open(map[string]any{"transfer": u.Query().Get("t") + "x"})
	if got := bad.next("error"); got.str("code") != "transfer_refused" {
		t.Errorf("a tampered link: %v", got)
	}
}

// fakeChannel is another channel of the hub, accepting every send.
type fakeChannel struct{}

func (fakeChannel) Capabilities() core.Capabilities { return core.Capabilities{Label: "channel crm"} }
func (fakeChannel) Send(context.Context, core.Outbound) (core.SendReceipt, error) {
	return core.SendReceipt{}, nil
}

func TestPage_history_browser_and_device_are_recorded_on_the_contact(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	v := f.connect(map[string]any{"page": map[string]any{"url": "https://shop.example.com/", "title": "Shop", "referrer": "https://search.example.net/?q=shoes"}})
	v.send(map[string]any{"type": "page", "page": map[string]any{"url": "https://shop.example.com/shoes", "title": "Shoes"}})
	m := v.write("m", "do you have size 44?")
	contactID := f.conversationOf(m.str("id")).ContactID
	v.send(map[string]any{"type": "page", "page": map[string]any{"url": "https://shop.example.com/checkout", "title": "Checkout"}})
	want := "https://shop.example.com/\nhttps://shop.example.com/shoes\nhttps://shop.example.com/checkout"
	f.waitFor("the page history", func() bool {
		c, _ := f.store.Contact(ctx, contactID)
		return c.Fields[FieldPageHistory] == want
	})
	c, _ := f.store.Contact(ctx, contactID)
	if c.Fields[FieldCurrentPage] != "https://shop.example.com/checkout" || c.Fields[FieldReferrer] != "https://search.example.net/?q=shoes" {
		t.Errorf("fields = %v", c.Fields)
	}
	if c.Fields[FieldBrowser] != "" || c.Fields[FieldDevice] != DeviceBot { // the test client says Go-http-client
		t.Errorf("browser %q device %q for the Go client", c.Fields[FieldBrowser], c.Fields[FieldDevice])
	}
}

func TestPrivacy_mode_needs_consent_and_records_no_pages(t *testing.T) {
	f := newFixture(t, Config{Features: Features{PrivacyMode: true}})
	refused := f.open(nil)
	if got := refused.next("error"); got.str("code") != "consent_required" {
		t.Fatalf("hello without consent: %v", got)
	}
	v := f.connect(map[string]any{"consent": true, "page": map[string]any{"url": "https://shop.example.com/private"}})
	m := v.write("m", "hello")
	time.Sleep(100 * time.Millisecond)
	c, _ := f.store.Contact(context.Background(), f.conversationOf(m.str("id")).ContactID)
	if len(c.Fields) != 0 {
		t.Fatalf("fields = %v in privacy mode, want none", c.Fields)
	}
}

func TestEmail_left_offline_fills_in_the_contact(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	v.send(map[string]any{"type": "email", "email": "Later@Example.com"})
	v.next("email_saved")
	m := v.write("m", "please write back")
	c, _ := f.store.Contact(context.Background(), f.conversationOf(m.str("id")).ContactID)
	if c.Email != "later@example.com" {
		t.Fatalf("email = %q, want the address left", c.Email)
	}
	if again := f.connect(map[string]any{"token": v.token()}); again.welcome["has_email"] != true {
		t.Error("welcome does not say the address is known")
	}
}

func TestConfig_endpoint_serves_the_widget_to_allowed_origins(t *testing.T) {
	f := newFixture(t, Config{Title: "Acme help", Color: "#123456", Greeting: "Hi!", Locale: "de"})
	req, _ := http.NewRequest("GET", f.srv.URL+"/webchat/web/config", nil)
	req.Header.Set("Origin", testOrigin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Widget widgetView
		Online bool
	}
	json.NewDecoder(resp.Body).Decode(&got)
	if got.Widget.Title != "Acme help" || got.Widget.Color != "#123456" || got.Widget.Locale != "de" || !got.Online {
		t.Fatalf("config = %+v", got)
	}
	req.Header.Set("Origin", "https://evil.example.net")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("config to a foreign origin: status %d", resp.StatusCode)
	}
}
