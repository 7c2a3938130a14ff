package sms

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/coretest"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// recorder hands inbound events to the hub and keeps what passed.
type recorder struct {
	mu       sync.Mutex
	hub      *core.Hub
	in       []core.Inbound
	receipts []core.Receipt
}

func (r *recorder) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	rc, err := r.hub.Receive(ctx, in)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.in, r.receipts = append(r.in, in), append(r.receipts, rc)
	}
	return rc, err
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.in)
}

func (r *recorder) last() (core.Inbound, core.Receipt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.in[len(r.in)-1], r.receipts[len(r.receipts)-1]
}

// hubRig is one adapter in front of a real hub: SQLite store and file
// blob store in a temporary directory.
type hubRig struct {
	a     *Adapter
	hub   *core.Hub
	rec   *recorder
	store *sqlite.Store
	state core.ChannelState
	mux   *http.ServeMux
}

func newHubRig(t *testing.T, cfg Config) *hubRig {
	t.Helper()
	dir := t.TempDir()
	st, blobs := coretest.OpenStorage(t, dir)
	var err error
	r := &hubRig{rec: &recorder{}, store: st, state: core.StoreState(st, "sms"), mux: http.NewServeMux()}
	r.a, err = New("sms", cfg, Deps{Receiver: r.rec, Blobs: blobs, State: r.state, Now: fixedNow})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r.hub, err = core.NewHub(core.HubConfig{Store: st, Blobs: blobs, Channels: []core.ChannelInfo{{Name: "sms", Type: Type, Adapter: r.a}}})
	if err != nil {
		t.Fatal(err)
	}
	r.rec.hub = r.hub
	for p, h := range r.a.Routes() {
		r.mux.Handle(p, h)
	}
	return r
}

func TestFixtures_fed_in_manifest_order_into_one_adapter_reach_the_hub_as_expected(t *testing.T) {
	cases := loadCases(t)
	twilio := newFakeTwilio(t)
	for _, c := range cases {
		form := c.form(t)
		for i := 0; form.Get(mediaKey("MediaUrl", i)) != ""; i++ {
			typ := form.Get(mediaKey("MediaContentType", i))
			data, ok := samples[typ]
			if !ok {
				t.Fatalf("%s: no sample bytes of %s for the fake Twilio to serve", c.File, typ)
			}
			twilio.addMedium(form.Get(mediaKey("MediaUrl", i)), typ, data)
		}
	}
	cfg := channelConfig(t, cases)
	cfg.APIURL = twilio.URL
	r := newHubRig(t, cfg)
	first := map[string]core.Receipt{}

	for _, c := range cases {
		e := c.Expect
		beforeIn, beforeGets := r.rec.count(), len(twilio.mediaRequests())
		beforeMsgs := -1
		if e.has("duplicate_of") {
			beforeMsgs = r.messageCount(t, first[e.str(t, "duplicate_of")].ConversationID)
		}
		rec := httptest.NewRecorder()
		r.mux.ServeHTTP(rec, c.httpRequest())
		if e.has("http_status") {
			var want int
			e.get(t, "http_status", &want)
			if rec.Code != want {
				t.Errorf("%s: status %d (%s), want %d", c.File, rec.Code, rec.Body.String(), want)
				continue
			}
		}
		switch outcome := e.str(t, "outcome"); outcome {
		case "message":
			if r.rec.count() != beforeIn+1 {
				t.Errorf("%s: the hub received %d events, want 1", c.File, r.rec.count()-beforeIn)
				continue
			}
			in, rc := r.rec.last()
			if rc.Duplicate {
				t.Errorf("%s: stored as a duplicate", c.File)
			}
			first[c.File] = rc
			r.checkStored(t, c, in, twilio.mediaRequests()[beforeGets:])
		case "duplicate":
			if r.rec.count() != beforeIn+1 {
				t.Errorf("%s: the hub received %d events, want the retry", c.File, r.rec.count()-beforeIn)
				continue
			}
			in, rc := r.rec.last()
			orig := first[e.str(t, "duplicate_of")]
			if !rc.Duplicate || rc.MessageID != orig.MessageID || in.ProviderMessageID != e.str(t, "external_message_id") {
				t.Errorf("%s: receipt %+v for %s, want a duplicate of %+v", c.File, rc, in.ProviderMessageID, orig)
			}
			if n := r.messageCount(t, orig.ConversationID); n != beforeMsgs {
				t.Errorf("%s: conversation went from %d to %d messages, want no new one", c.File, beforeMsgs, n)
			}
		case "event":
			if n := r.rec.count() - beforeIn; n != 0 {
				t.Errorf("%s: the hub received %d messages, want none", c.File, n)
			}
			r.checkConsent(t, c)
		case "rejected":
			if n := r.rec.count() - beforeIn; n != 0 {
				t.Errorf("%s: %d events ingested from a rejected request", c.File, n)
			}
			if g := len(twilio.mediaRequests()) - beforeGets; g != 0 {
				t.Errorf("%s: %d media fetched for a rejected request", c.File, g)
			}
			want := map[string]int{"bad_signature": 403, "missing_signature": 401, "malformed": 400, "oversize": 413}[e.str(t, "reject_reason")]
			if rec.Code != want {
				t.Errorf("%s: status %d for %s, want %d", c.File, rec.Code, e.str(t, "reject_reason"), want)
			}
		default:
			t.Errorf("%s: outcome %q is not one SMS produces; teach this test", c.File, outcome)
		}
	}
}

// checkStored asserts a message case against what the hub stored.
func (r *hubRig) checkStored(t *testing.T, c fixtureCase, in core.Inbound, fetched []string) {
	t.Helper()
	e := c.Expect
	if e.has("external_message_id") && in.ProviderMessageID != e.str(t, "external_message_id") {
		t.Errorf("%s: provider id = %q, want %q", c.File, in.ProviderMessageID, e.str(t, "external_message_id"))
	}
	if e.has("contact") {
		var want struct {
			ExternalID *string `json:"external_id"`
			PhoneE164  *string `json:"phone_e164"`
		}
		e.get(t, "contact", &want)
		if (want.ExternalID != nil && in.Contact.ID != *want.ExternalID) || (want.PhoneE164 != nil && in.Contact.Phone != *want.PhoneE164) {
			t.Errorf("%s: contact = %+v, want %s / %s", c.File, in.Contact, deref(want.ExternalID), deref(want.PhoneE164))
		}
	}
	if e.has("segments") {
		var want int
		e.get(t, "segments", &want)
		if got := Segments(in.Text).Segments; got != want {
			t.Errorf("%s: the text handed to the hub is %d segments, want %d", c.File, got, want)
		}
	}
	m, err := r.store.MessageByProviderID(t.Context(), "sms", in.ProviderMessageID)
	if err != nil {
		t.Fatalf("%s: not stored: %v", c.File, err)
	}
	if e.has("text") && m.Text != e.str(t, "text") {
		t.Errorf("%s: stored text = %q, want %q", c.File, m.Text, e.str(t, "text"))
	}
	if e.has("raw_text") && in.Text != e.str(t, "raw_text") {
		t.Errorf("%s: text handed to the hub = %q, want %q", c.File, in.Text, e.str(t, "raw_text"))
	}
	if e.has("pii_masked") {
		var want bool
		e.get(t, "pii_masked", &want)
		if m.Masked != want {
			t.Errorf("%s: masked = %v, want %v", c.File, m.Masked, want)
		}
	}
	if !e.has("attachments") {
		return
	}
	var want []expectedAttachment
	e.get(t, "attachments", &want)
	if len(m.Attachments) != len(want) || len(fetched) != len(want) {
		t.Fatalf("%s: %d attachments stored, %d media fetched, want %d", c.File, len(m.Attachments), len(fetched), len(want))
	}
	for i, w := range want {
		a := m.Attachments[i]
		if w.MIMEType != nil && a.MIMEType != *w.MIMEType {
			t.Errorf("%s: attachment %d sniffed as %q, want %q", c.File, i, a.MIMEType, *w.MIMEType)
		}
		if w.Type != nil && mediaKind(a.MIMEType) != *w.Type {
			t.Errorf("%s: attachment %d is a %s, want %s", c.File, i, mediaKind(a.MIMEType), *w.Type)
		}
		if w.Flagged != nil && a.Flagged != *w.Flagged {
			t.Errorf("%s: attachment %d flagged = %v, want %v", c.File, i, a.Flagged, *w.Flagged)
		}
		if w.Ref != nil && !slices.Contains(fetched, mustURL(t, *w.Ref).Path) {
			t.Errorf("%s: attachment %d: %s was not fetched (fetched %v)", c.File, i, *w.Ref, fetched)
		}
		if a.Size == 0 || a.Blob == "" {
			t.Errorf("%s: attachment %d not stored: %+v", c.File, i, a)
		}
	}
}

// checkConsent asserts an opt-out or opt-in case against the channel state
// and against sending.
func (r *hubRig) checkConsent(t *testing.T, c fixtureCase) {
	t.Helper()
	var ev struct{ Type, Keyword string }
	c.Expect.get(t, "event", &ev)
	var contact struct {
		ExternalID string `json:"external_id"`
	}
	c.Expect.get(t, "contact", &contact)
	rec, out, err := optOuts{state: r.state}.get(t.Context(), contact.ExternalID)
	if err != nil {
		t.Fatal(err)
	}
	sendErr := r.a.CheckSend(t.Context(), core.SendCheck{To: core.ContactRef{ID: contact.ExternalID}, Text: "hello"})
	var ce *core.CapabilityError
	switch ev.Type {
	case "opt_out":
		if !out || rec.Keyword != ev.Keyword || rec.MessageID != c.Expect.str(t, "external_message_id") {
			t.Errorf("%s: opt-out record = %+v (present %v), want keyword %s from %s", c.File, rec, out, ev.Keyword, c.Expect.str(t, "external_message_id"))
		}
		if !errors.As(sendErr, &ce) {
			t.Errorf("%s: CheckSend to %s = %v, want a refusal", c.File, contact.ExternalID, sendErr)
		}
	case "opt_in":
		if out || sendErr != nil {
			t.Errorf("%s: after opt-in, record present %v and CheckSend = %v", c.File, out, sendErr)
		}
	default:
		t.Errorf("%s: event %s is not one SMS produces; teach this test", c.File, ev.Type)
	}
}

func (r *hubRig) messageCount(t *testing.T, conversationID string) int {
	t.Helper()
	msgs, err := r.store.Messages(t.Context(), conversationID)
	if err != nil {
		t.Fatalf("messages of %s: %v", conversationID, err)
	}
	return len(msgs)
}

func deref(s *string) string {
	if s == nil {
		return "(not checked)"
	}
	return *s
}

func mediaKey(prefix string, i int) string { return prefix + strconv.Itoa(i) }

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
