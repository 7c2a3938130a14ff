package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// The fixtures' media ids, and what the fake Cloud API serves for them.
var fixtureMedia = map[string]struct {
	mime string
	data []byte
}{
	"1738619448210344": {"image/jpeg", sampleJPEG},
	"7447256235560635": {"audio/ogg; codecs=opus", sampleOgg},
	"8184672482008809": {"application/pdf", samplePDF},
}

// hubSent is the wamid of the fixtures' hub-sent message that 05-07 refer
// to; the test sends an operator reply that gets it before case 05.
const hubSent = "wamid.HBgLMTIwNjU1NTAxMzEVAgARGBJERTY5MjczMEUxN0NBRTFEQTkA"

func TestFixtures_every_whatsapp_cloud_case_fed_in_manifest_order_into_one_adapter(t *testing.T) {
	cases := loadManifest(t)
	for _, c := range cases[1:] {
		if c.Secret != cases[0].Secret || c.Limits != cases[0].Limits {
			t.Fatalf("%s: secret or limits differ from the first case; one adapter cannot serve both", c.File)
		}
	}
	e := newCloudEnv(t, func(c *Config) { c.AppSecret, c.MaxBodyBytes = cases[0].Secret, cases[0].Limits.MaxBodyBytes })
	for id, m := range fixtureMedia {
		e.graph.addMedia(id, m.mime, m.data)
	}
	fc := &fixtureCheck{e: e, receipts: map[string]core.Receipt{}}
	for _, c := range cases {
		if c.File == "05_status_sent.json" {
			fc.reply = e.replyAs(t, "wamid.HBgLMTIwNjU1NTAxMzEVAgASGBQ1MTM4MTcxQjFFNDY4RjhFOTg3MQA=", hubSent)
		}
		ok := t.Run(c.File, func(t *testing.T) { fc.run(t, c) })
		if !ok {
			t.Logf("case %s failed; later cases may depend on it", c.File)
		}
	}
	if fc.reply != "" {
		if got := e.message(fc.reply).Status; got != core.DeliveryRead {
			t.Errorf("the hub-sent message ended %s, want read (06 applies delivered, then read)", got)
		}
	}
}

// replyAs has an operator answer the conversation of the contact's message
// inbound inside the window, and the fake Cloud API give the reply wamid.
func (e *cloudEnv) replyAs(t *testing.T, inbound, wamid string) string {
	t.Helper()
	saved := e.clock.Now()
	defer e.clock.Set(saved)
	e.clock.Set(time.Date(2025, 3, 13, 11, 3, 0, 0, time.UTC))
	op, conv := e.assign(inbound)
	m, err := e.hub.Send(context.Background(), op, conv, core.Reply{Text: "Yes: which size would you like?"})
	if err != nil {
		t.Fatalf("operator reply: %v", err)
	}
	e.graph.nextIDs(wamid)
	if err := e.deliver(m); err != nil {
		t.Fatal(err)
	}
	if got := e.message(m.ID); got.Status != core.DeliverySent || got.ProviderMessageID != wamid {
		t.Fatalf("operator reply %s as %q, want sent as %s", got.Status, got.ProviderMessageID, wamid)
	}
	return m.ID
}

// fixtureCheck asserts one case at a time against the converted events,
// the adapter's calls to the hub and the media the fake served.
type fixtureCheck struct {
	e        *cloudEnv
	receipts map[string]core.Receipt // file -> receipt of its first stored message
	reply    string                  // the hub-sent message of 05-07
	calls    []call
	fetched  []string
}

func (f *fixtureCheck) run(t *testing.T, c fixtureCase) {
	e := f.e
	req := loadRequest(t, c.File)
	wantNew := c.Expect.ContactIsNew != nil && *c.Expect.ContactIsNew && c.Expect.Contact != nil
	if wantNew {
		if _, err := e.store.ContactByIdentity(context.Background(), testChannel, c.Expect.Contact.ExternalID); err == nil {
			t.Fatalf("contact %s exists before the case that should create it", c.Expect.Contact.ExternalID)
		}
	}
	before, fetchedBefore, graphBefore := e.rec.count(), len(e.graph.downloads()), len(e.graph.requests())
	resp := e.serve(req.HTTP())
	if resp.Code != c.Expect.HTTPStatus {
		t.Fatalf("status = %d (%s), want %d", resp.Code, resp.Body, c.Expect.HTTPStatus)
	}
	f.calls, f.fetched = e.rec.since(before), e.graph.downloads()[fetchedBefore:]
	if c.Expect.Outcome == "rejected" {
		if len(f.calls) != 0 || len(e.graph.requests()) != graphBefore {
			t.Fatalf("rejected request reached the hub (%d calls) or the Cloud API", len(f.calls))
		}
		return
	}
	events, err := parseCloud(testChannel, testPhoneNumberID, []byte(req.Body))
	if err != nil {
		t.Fatalf("parseCloud: %v", err)
	}
	items := []expectation{c.Expect}
	if c.Expect.Outcome == "batch" {
		items = c.Expect.Items
	}
	if len(events) != len(items) {
		t.Fatalf("events = %d, want %d", len(events), len(items))
	}
	for i, want := range items {
		f.item(t, c.File, i, events[i], want)
	}
	if len(f.calls) != 0 {
		t.Errorf("%d hub calls not accounted for by the expectations: %+v", len(f.calls), f.calls)
	}
	if len(f.fetched) != 0 {
		t.Errorf("downloaded %v, which no expected attachment names", f.fetched)
	}
	if wantNew {
		if _, err := e.store.ContactByIdentity(context.Background(), testChannel, c.Expect.Contact.ExternalID); err != nil {
			t.Errorf("contact %s was not created: %v", c.Expect.Contact.ExternalID, err)
		}
	}
}

// next consumes the adapter's next hub call; unknownOK admits a receipt
// for a message the hub does not know, which the adapter acknowledges.
func (f *fixtureCheck) next(t *testing.T, i int, what string, unknownOK bool) call {
	t.Helper()
	if len(f.calls) == 0 {
		t.Fatalf("item %d: no hub call left for %s", i, what)
	}
	c := f.calls[0]
	f.calls = f.calls[1:]
	if c.err != nil && !(unknownOK && errors.Is(c.err, core.ErrNotFound)) {
		t.Fatalf("item %d: the hub refused %s: %v", i, what, c.err)
	}
	return c
}

func (f *fixtureCheck) item(t *testing.T, file string, i int, ev cloudEvent, want expectation) {
	t.Helper()
	if want.Channel != "" && want.Channel != "whatsapp-cloud" {
		t.Errorf("item %d: channel %q is not this adapter's", i, want.Channel)
	}
	switch want.Outcome {
	case "message", "postback", "duplicate":
		c := f.next(t, i, want.Outcome, false)
		f.stored(t, file, i, ev, c, want)
	case "event":
		f.event(t, file, i, ev, want)
	default:
		t.Fatalf("item %d: outcome %q is not asserted by this test", i, want.Outcome)
	}
}

func (f *fixtureCheck) stored(t *testing.T, file string, i int, ev cloudEvent, c call, want expectation) {
	t.Helper()
	in := c.in
	wantKind := map[string]core.Kind{"message": core.KindMessage, "postback": core.KindPostback, "duplicate": core.KindMessage}[want.Outcome]
	if in.Kind != wantKind || in.Channel != testChannel || in.ChannelType != Type {
		t.Errorf("item %d: kind %q on %s/%s, want %q on %s/%s", i, in.Kind, in.Channel, in.ChannelType, wantKind, testChannel, Type)
	}
	if want.ExternalMessageID != nil && in.ProviderMessageID != *want.ExternalMessageID {
		t.Errorf("item %d: provider id = %q, want %q", i, in.ProviderMessageID, *want.ExternalMessageID)
	}
	f.contact(t, i, in, want)
	if want.SentAt != nil {
		if at := mustTime(t, *want.SentAt); !in.SentAt.Equal(at) {
			t.Errorf("item %d: sent at = %v, want %v", i, in.SentAt, at)
		}
	}
	if want.ReplyTo != nil && (ev.ReplyTo != *want.ReplyTo || in.ThreadKey != *want.ReplyTo) {
		t.Errorf("item %d: reply to = %q (thread %q), want %q", i, ev.ReplyTo, in.ThreadKey, *want.ReplyTo)
	}
	if want.Postback != nil {
		if ev.Postback == nil || *ev.Postback != (postback{Payload: want.Postback.Payload, Title: want.Postback.Title}) {
			t.Errorf("item %d: postback = %+v, want %+v", i, ev.Postback, *want.Postback)
		}
		if in.Text != want.Postback.Title {
			t.Errorf("item %d: postback text = %q, want the title %q", i, in.Text, want.Postback.Title)
		}
	}
	f.text(t, i, in, want)
	f.attachments(t, i, ev, in, want)
	if want.Outcome == "duplicate" {
		first, ok := f.receipts[want.DuplicateOf]
		if !c.receipt.Duplicate || !ok || c.receipt.MessageID != first.MessageID {
			t.Errorf("item %d: receipt %+v, want a duplicate of %s's message %+v", i, c.receipt, want.DuplicateOf, first)
		}
		return
	}
	if c.receipt.Duplicate {
		t.Errorf("item %d: the hub took a new message for a duplicate", i)
	}
	if _, ok := f.receipts[file]; !ok {
		f.receipts[file] = c.receipt
	}
	m, err := f.e.store.MessageByProviderID(context.Background(), testChannel, in.ProviderMessageID)
	if err != nil {
		t.Fatalf("item %d: not in the store: %v", i, err)
	}
	if m.ID != c.receipt.MessageID || m.Text != in.Text || len(m.Attachments) != len(in.Attachments) || m.Direction != core.DirectionIn {
		t.Errorf("item %d: stored %+v, want the received %q with %d attachments", i, m, in.Text, len(in.Attachments))
	}
}

func (f *fixtureCheck) contact(t *testing.T, i int, in core.Inbound, want expectation) {
	t.Helper()
	w := want.Contact
	if w == nil {
		return
	}
	if in.Contact.ID != w.ExternalID || in.Contact.Phone != w.PhoneE164 || !in.Contact.Verified {
		t.Errorf("item %d: contact %+v, want id %s, phone %s, verified", i, in.Contact, w.ExternalID, w.PhoneE164)
	}
	if len(w.DisplayName) > 0 {
		var name *string
		if err := json.Unmarshal(w.DisplayName, &name); err != nil {
			t.Fatal(err)
		}
		if (name == nil && in.Contact.Name != "") || (name != nil && in.Contact.Name != *name) {
			t.Errorf("item %d: display name = %q, want %v", i, in.Contact.Name, w.DisplayName)
		}
	}
}

// text checks the stored text; null means the contact sent none.
func (f *fixtureCheck) text(t *testing.T, i int, in core.Inbound, want expectation) {
	t.Helper()
	if len(want.Text) == 0 {
		return
	}
	var text *string
	if err := json.Unmarshal(want.Text, &text); err != nil {
		t.Fatal(err)
	}
	wantText := ""
	if text != nil {
		wantText = *text
	}
	if in.Text != wantText {
		t.Errorf("item %d: text = %q, want %q", i, in.Text, wantText)
	}
}

// attachments checks the media: named by id in the webhook, downloaded
// through the fake Cloud API, stored as blobs of the sniffed type.
func (f *fixtureCheck) attachments(t *testing.T, i int, ev cloudEvent, in core.Inbound, want expectation) {
	t.Helper()
	if want.Attachments == nil {
		return
	}
	exp := *want.Attachments
	if len(ev.Media) != len(exp) || len(in.Attachments) != len(exp) {
		t.Fatalf("item %d: %d media, %d stored attachments; want %d", i, len(ev.Media), len(in.Attachments), len(exp))
	}
	for j, w := range exp {
		m, a := ev.Media[j], in.Attachments[j]
		if m.Type != w.Type || m.ID != w.Ref || m.MIMEType != w.MIMEType || (w.Filename != "" && m.Filename != w.Filename) {
			t.Errorf("item %d attachment %d: %+v, want %+v", i, j, m, w)
		}
		if len(f.fetched) == 0 || f.fetched[0] != w.Ref {
			t.Errorf("item %d attachment %d: downloaded %v, want %s next", i, j, f.fetched, w.Ref)
		} else {
			f.fetched = f.fetched[1:]
		}
		served := fixtureMedia[w.Ref]
		declared, _, _ := strings.Cut(w.MIMEType, ";")
		if a.MIMEType != declared || a.Size != int64(len(served.data)) || a.Blob == "" || a.Voice != (w.Type == "voice") {
			t.Errorf("item %d attachment %d: stored %+v, want %d bytes of %s (voice %v)", i, j, a, len(served.data), declared, w.Type == "voice")
		}
		if w.Filename != "" && a.Filename != w.Filename {
			t.Errorf("item %d attachment %d: file name %q, want %q", i, j, a.Filename, w.Filename)
		}
	}
}

// event checks a status or a reaction.
func (f *fixtureCheck) event(t *testing.T, file string, i int, ev cloudEvent, want expectation) {
	t.Helper()
	w := want.Event
	if w == nil {
		t.Fatalf("item %d: outcome event without event", i)
	}
	switch w.Type {
	case "reaction":
		c := f.next(t, i, "reaction", false)
		if c.in.Kind != core.KindReaction || c.in.Target != w.TargetMessageID || c.in.Text != w.Emoji {
			t.Errorf("item %d: stored %+v, want a reaction %s to %s", i, c.in, w.Emoji, w.TargetMessageID)
		}
		if ev.Reaction == nil || ev.Reaction.Action != w.Action || ev.Reaction.Emoji != w.Emoji {
			t.Errorf("item %d: reaction %+v, want %s %s", i, ev.Reaction, w.Action, w.Emoji)
		}
		if want.ExternalMessageID != nil && c.in.ProviderMessageID != *want.ExternalMessageID {
			t.Errorf("item %d: provider id = %q, want %q", i, c.in.ProviderMessageID, *want.ExternalMessageID)
		}
		f.contact(t, i, c.in, want)
		if got := f.e.message(c.receipt.MessageID); got.Kind != core.KindReaction || got.Text != w.Emoji {
			t.Errorf("item %d: stored %+v, want the reaction %s", i, got, w.Emoji)
		}
	case "sent", "delivered", "read", "failed":
		s := ev.Status
		if s == nil || s.Type != w.Type || s.Target != w.TargetMessageID || s.Recipient != w.Recipient || !s.At.Equal(mustTime(t, w.At)) {
			t.Fatalf("item %d: status %+v, want %s of %s to %s at %s", i, s, w.Type, w.TargetMessageID, w.Recipient, w.At)
		}
		if w.Type == "sent" {
			if ev.In.Kind != "" {
				t.Errorf("item %d: a sent status became a %s", i, ev.In.Kind)
			}
			return // Send recorded it: nothing reaches the hub
		}
		c := f.next(t, i, w.Type, true)
		kind := map[string]core.Kind{"delivered": core.KindDelivered, "read": core.KindRead, "failed": core.KindFailed}[w.Type]
		if c.in.Kind != kind || c.in.Target != w.TargetMessageID || !c.in.SentAt.Equal(s.At) {
			t.Errorf("item %d: hub got %+v, want %s of %s", i, c.in, kind, w.TargetMessageID)
		}
		if f.reply != "" && c.receipt.MessageID != f.reply {
			t.Errorf("item %d: the status applied to %q, want the hub-sent message %s", i, c.receipt.MessageID, f.reply)
		}
	default:
		t.Fatalf("item %d: event type %q is not asserted by this test", i, w.Type)
	}
}
