package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/internal/fixturetest"
)

// fixtureCase is one entry of cases.json.
type fixtureCase struct {
	File        string `json:"file"`
	Description string `json:"description"`
	Secret      string `json:"secret"`
	Limits      struct {
		MaxBodyBytes int64 `json:"max_body_bytes"`
	} `json:"limits"`
	Expect expectation `json:"expect"`
}

// expectation holds every key the README defines for Messenger cases; the
// manifest is decoded strictly, so a key this test does not assert fails it.
type expectation struct {
	Channel           string  `json:"channel"`
	Outcome           string  `json:"outcome"`
	HTTPStatus        int     `json:"http_status"`
	ExternalMessageID *string `json:"external_message_id"`
	Contact           *struct {
		ExternalID string `json:"external_id"`
	} `json:"contact"`
	Text        json.RawMessage `json:"text"`
	Attachments *[]struct {
		Type string `json:"type"`
		Ref  string `json:"ref"`
	} `json:"attachments"`
	Unsupported *[]struct {
		Type string `json:"type"`
	} `json:"unsupported"`
	SentAt   *string `json:"sent_at"`
	Postback *struct {
		Payload string `json:"payload"`
		Title   string `json:"title"`
	} `json:"postback"`
	QuickReplyPayload *string `json:"quick_reply_payload"`
	Event             *struct {
		Type             string   `json:"type"`
		Watermark        int64    `json:"watermark"`
		TargetMessageIDs []string `json:"target_message_ids"`
	} `json:"event"`
	FilterReason string        `json:"filter_reason"`
	RejectReason string        `json:"reject_reason"`
	DuplicateOf  string        `json:"duplicate_of"`
	Items        []expectation `json:"items"`
}

type fixtureRequest = fixturetest.Request

func loadManifest(t testing.TB) []fixtureCase {
	t.Helper()
	var cases []fixtureCase
	fixturetest.Manifest(t, "messenger", &cases)
	if len(cases) == 0 {
		t.Fatal("cases.json lists no cases")
	}
	return cases
}

func loadRequest(t testing.TB, file string) fixtureRequest {
	t.Helper()
	return fixturetest.LoadRequest(t, "messenger", file)
}

func TestFixtures_every_messenger_case_fed_in_manifest_order_into_one_adapter(t *testing.T) {
	cases := loadManifest(t)
	for _, c := range cases[1:] {
		if c.Secret != cases[0].Secret || c.Limits != cases[0].Limits {
			t.Fatalf("%s: secret or limits differ from the first case; one adapter cannot serve both", c.File)
		}
	}
	e := newEnv(t, Config{AppSecret: cases[0].Secret, MaxBodyBytes: cases[0].Limits.MaxBodyBytes})
	receipts := map[string]core.Receipt{} // file -> receipt of its first stored message
	for _, c := range cases {
		ok := t.Run(c.File, func(t *testing.T) {
			req := loadRequest(t, c.File)
			before, fetchedBefore := e.rec.count(), len(e.cdn.urls())
			resp := e.serve(req.HTTP())
			if resp.Code != c.Expect.HTTPStatus {
				t.Fatalf("status = %d (%s), want %d", resp.Code, resp.Body, c.Expect.HTTPStatus)
			}
			calls := e.rec.since(before)
			fetched := e.cdn.urls()[fetchedBefore:]
			if c.Expect.Outcome == "rejected" {
				if len(calls) != 0 || len(fetched) != 0 {
					t.Fatalf("rejected request reached the hub (%d calls) or the CDN (%d fetches)", len(calls), len(fetched))
				}
				return
			}
			events, err := parseEvents(testChannel, []byte(req.Body))
			if err != nil {
				t.Fatalf("parseEvents: %v", err)
			}
			items := []expectation{c.Expect}
			if c.Expect.Outcome == "batch" {
				items = c.Expect.Items
			}
			if len(events) != len(items) {
				t.Fatalf("events = %d, want %d", len(events), len(items))
			}
			fc := fixtureCheck{t: t, e: e, calls: calls, fetched: fetched, receipts: receipts, file: c.File}
			for i, want := range items {
				fc.item(i, events[i], want)
			}
			if len(fc.calls) != 0 {
				t.Errorf("%d hub calls not accounted for by the expectations: %+v", len(fc.calls), fc.calls)
			}
			if len(fc.fetched) != 0 {
				t.Errorf("fetched %v, which no expected attachment names", fc.fetched)
			}
		})
		if !ok {
			t.Logf("case %s failed; later cases may depend on it", c.File)
		}
	}
}

// fixtureCheck asserts one case's expectations against the converted
// events, the calls the adapter made to the hub and the CDN fetches,
// consuming calls and fetches as it goes.
type fixtureCheck struct {
	t        *testing.T
	e        *env
	file     string
	calls    []call
	fetched  []string
	receipts map[string]core.Receipt
}

// next consumes the next hub call, which must have succeeded; with
// unknownOK it may also have named a message the hub does not know (a
// receipt for a page message sent elsewhere), which the adapter
// acknowledges.
func (f *fixtureCheck) next(i int, what string, unknownOK bool) call {
	f.t.Helper()
	if len(f.calls) == 0 {
		f.t.Fatalf("item %d: no hub call left for %s", i, what)
	}
	c := f.calls[0]
	f.calls = f.calls[1:]
	if c.err != nil && !(unknownOK && errors.Is(c.err, core.ErrNotFound)) {
		f.t.Fatalf("item %d: the hub refused %s: %v", i, what, c.err)
	}
	return c
}

func (f *fixtureCheck) item(i int, ev event, want expectation) {
	t := f.t
	t.Helper()
	if want.Channel != "" && want.Channel != Type {
		t.Errorf("item %d: channel = %q, want %q", i, Type, want.Channel)
	}
	switch want.Outcome {
	case "message", "postback", "duplicate":
		c := f.next(i, want.Outcome, false)
		f.stored(i, ev, *c.in, c.receipt, want)
	case "event":
		f.event(i, ev, want)
	case "filtered":
		if ev.Filtered != want.FilterReason || ev.In.Kind != "" {
			t.Errorf("item %d: filtered = %q kind %q, want filtered %q and nothing stored", i, ev.Filtered, ev.In.Kind, want.FilterReason)
		}
		if want.ExternalMessageID != nil && ev.In.ProviderMessageID != *want.ExternalMessageID {
			t.Errorf("item %d: mid = %q, want %q", i, ev.In.ProviderMessageID, *want.ExternalMessageID)
		}
	default:
		t.Fatalf("item %d: outcome %q is not asserted by this test", i, want.Outcome)
	}
}

// stored checks a message, postback or duplicate the adapter handed to the
// hub, and what the hub kept.
func (f *fixtureCheck) stored(i int, ev event, in core.Inbound, rc core.Receipt, want expectation) {
	t := f.t
	t.Helper()
	wantKind := map[string]core.Kind{"message": core.KindMessage, "postback": core.KindPostback, "duplicate": core.KindMessage}[want.Outcome]
	if in.Kind != wantKind || in.Channel != testChannel || in.ChannelType != Type {
		t.Errorf("item %d: kind %q on %s/%s, want %q on %s/%s", i, in.Kind, in.Channel, in.ChannelType, wantKind, testChannel, Type)
	}
	if want.ExternalMessageID != nil && in.ProviderMessageID != *want.ExternalMessageID {
		t.Errorf("item %d: provider id = %q, want %q", i, in.ProviderMessageID, *want.ExternalMessageID)
	}
	if want.Contact != nil && in.Contact.ID != want.Contact.ExternalID {
		t.Errorf("item %d: contact = %q, want %q", i, in.Contact.ID, want.Contact.ExternalID)
	}
	if want.SentAt != nil {
		at, err := time.Parse(time.RFC3339, *want.SentAt)
		if err != nil {
			t.Fatal(err)
		}
		// The fixtures give seconds; Messenger's milliseconds are kept.
		if !in.SentAt.Truncate(time.Second).Equal(at) {
			t.Errorf("item %d: sent at = %v, want %v", i, in.SentAt, at)
		}
	}
	f.text(i, ev, in, want)
	f.attachments(i, ev, in, want)
	if want.Unsupported != nil {
		var got, exp []string
		for _, u := range ev.Unsupported {
			got = append(got, u.Type)
		}
		for _, u := range *want.Unsupported {
			exp = append(exp, u.Type)
		}
		if !slices.Equal(got, exp) {
			t.Errorf("item %d: unsupported = %v, want %v", i, got, exp)
		}
		for _, typ := range exp {
			if !strings.Contains(in.Text, "("+typ+")") {
				t.Errorf("item %d: stored text %q has no placeholder for %s content", i, in.Text, typ)
			}
		}
	}
	if want.Postback != nil {
		if ev.Postback == nil || ev.Postback.Payload != want.Postback.Payload || ev.Postback.Title != want.Postback.Title {
			t.Errorf("item %d: postback = %+v, want %+v", i, ev.Postback, *want.Postback)
		}
		if in.Text != want.Postback.Title {
			t.Errorf("item %d: postback text = %q, want the title %q", i, in.Text, want.Postback.Title)
		}
	}
	if want.QuickReplyPayload != nil && ev.QuickReply != *want.QuickReplyPayload {
		t.Errorf("item %d: quick reply payload = %q, want %q", i, ev.QuickReply, *want.QuickReplyPayload)
	}
	f.inHub(i, in, rc, want)
}

// text checks the contact's text. `null` means the contact sent none: the
// hub then stores only the placeholder lines of unsupported content.
func (f *fixtureCheck) text(i int, ev event, in core.Inbound, want expectation) {
	t := f.t
	t.Helper()
	if len(want.Text) == 0 {
		return
	}
	var text *string
	if err := json.Unmarshal(want.Text, &text); err != nil {
		t.Fatalf("item %d: text: %v", i, err)
	}
	if text == nil {
		if ev.In.Text != "" || in.Text != storedText("", ev.Unsupported, nil) {
			t.Errorf("item %d: contact text %q, stored %q; want none (placeholders only)", i, ev.In.Text, in.Text)
		}
		return
	}
	if ev.In.Text != *text || in.Text != *text {
		t.Errorf("item %d: text = %q, stored %q; want %q", i, ev.In.Text, in.Text, *text)
	}
}

// attachments checks the media: fetched from their URL (the ref) through
// the fake CDN and stored as blobs of the sniffed type.
func (f *fixtureCheck) attachments(i int, ev event, in core.Inbound, want expectation) {
	t := f.t
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
		if m.Type != w.Type || m.URL != w.Ref {
			t.Errorf("item %d attachment %d: %s %s, want %s %s", i, j, m.Type, m.URL, w.Type, w.Ref)
		}
		if len(f.fetched) == 0 || f.fetched[0] != w.Ref {
			t.Errorf("item %d attachment %d: fetched %v, want %s next", i, j, f.fetched, w.Ref)
		} else {
			f.fetched = f.fetched[1:]
		}
		if !strings.HasPrefix(a.MIMEType, w.Type+"/") || a.Blob == "" || a.Size == 0 || a.Filename == "" {
			t.Errorf("item %d attachment %d: stored %+v, want a %s/* blob with a name", i, j, a, w.Type)
		}
	}
}

// inHub checks what the hub made of a stored event: a duplicate names the
// message of the case it repeats; a new message is in the store as sent.
func (f *fixtureCheck) inHub(i int, in core.Inbound, rc core.Receipt, want expectation) {
	t := f.t
	t.Helper()
	if want.Outcome == "duplicate" {
		first, ok := f.receipts[want.DuplicateOf]
		if !rc.Duplicate || !ok || rc.MessageID != first.MessageID {
			t.Errorf("item %d: receipt %+v, want a duplicate of %s's message %+v", i, rc, want.DuplicateOf, first)
		}
		return
	}
	if rc.Duplicate {
		t.Errorf("item %d: the hub took a new event for a duplicate", i)
	}
	if _, ok := f.receipts[f.file]; !ok {
		f.receipts[f.file] = rc
	}
	m, err := f.e.store.MessageByProviderID(context.Background(), testChannel, in.ProviderMessageID)
	if err != nil {
		t.Fatalf("item %d: not in the store: %v", i, err)
	}
	if m.ID != rc.MessageID || m.Text != in.Text || len(m.Attachments) != len(in.Attachments) || m.Direction != core.DirectionIn {
		t.Errorf("item %d: stored %+v, want the received %q with %d attachments", i, m, in.Text, len(in.Attachments))
	}
}

// event checks a receipt: per-message deliveries and the watermark.
func (f *fixtureCheck) event(i int, ev event, want expectation) {
	t := f.t
	t.Helper()
	if want.Event == nil {
		t.Fatalf("item %d: outcome event without event", i)
	}
	kind := map[string]core.Kind{"read": core.KindRead, "delivered": core.KindDelivered}[want.Event.Type]
	if kind == "" {
		t.Fatalf("item %d: event type %q is not asserted by this test", i, want.Event.Type)
	}
	contact := ""
	if want.Contact != nil {
		contact = want.Contact.ExternalID
	}
	var targets []string
	for _, id := range want.Event.TargetMessageIDs {
		c := f.next(i, "delivery of "+id, true)
		if c.in == nil || c.in.Kind != kind || c.in.Contact.ID != contact {
			t.Errorf("item %d: call %+v, want %s of %s from %s", i, c, kind, id, contact)
			continue
		}
		targets = append(targets, c.in.Target)
	}
	if !slices.Equal(targets, want.Event.TargetMessageIDs) {
		t.Errorf("item %d: targets = %v, want %v", i, targets, want.Event.TargetMessageIDs)
	}
	if want.Event.Watermark != 0 {
		c := f.next(i, "watermark", false)
		w := core.Watermark{Channel: testChannel, Kind: kind, Contact: contact, Until: time.UnixMilli(want.Event.Watermark).UTC()}
		if c.mark == nil || *c.mark != w {
			t.Errorf("item %d: call %+v, want watermark %+v", i, c, w)
		}
	}
}
