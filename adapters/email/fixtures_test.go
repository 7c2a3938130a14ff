package email

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/switchboard-hq/switchboard/core"
)

// TestFixtures_fed_in_order_through_IMAP_meet_every_expectation appends every
// fixture mail to the in-process IMAP server in manifest order, lets one
// fresh channel fetch them into a real hub, and checks every key the
// manifest asserts against what the hub stored and what the channel
// reported.
func TestFixtures_fed_in_order_through_IMAP_meet_every_expectation(t *testing.T) {
	cases := loadCases(t)
	e := newEnv(t, nil)
	uids := map[imap.UID]int{}
	for i, c := range cases {
		uids[e.imap.Append("INBOX", readFixture(t, c.File))] = i
	}
	e.start()
	outs := e.waitOutcomes(len(cases))
	byCase := map[string]Outcome{}
	for _, o := range outs {
		i, ok := uids[imap.UID(o.UID)]
		if !ok {
			t.Fatalf("outcome for unknown uid %d", o.UID)
		}
		if _, dup := byCase[cases[i].File]; dup {
			t.Fatalf("%s was handled twice", cases[i].File)
		}
		byCase[cases[i].File] = o
	}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.File, ".eml"), func(t *testing.T) {
			check := fixtureCheck{t: t, e: e, c: c, out: byCase[c.File], all: byCase}
			for key, raw := range c.Expect {
				check.key(key, raw)
			}
		})
	}

	// Mail the hub stored is \Seen; the malformed one stays unseen and
	// flagged for a person.
	for _, m := range e.imap.Messages("INBOX") {
		c := cases[uids[m.UID]]
		var outcome string
		_ = json.Unmarshal(c.Expect["outcome"], &outcome)
		if rejected := outcome == "rejected"; m.Has(imap.FlagSeen) == rejected || m.Has(imap.FlagFlagged) != rejected {
			t.Errorf("%s: flags = %v, want seen=%v flagged=%v", c.File, m.Flags, !rejected, rejected)
		}
	}
}

// fixtureCheck asserts one manifest key of one case.
type fixtureCheck struct {
	t   *testing.T
	e   *env
	c   emailCase
	out Outcome
	all map[string]Outcome
}

func (f fixtureCheck) stored() core.Message {
	f.t.Helper()
	m, err := f.e.store.Message(context.Background(), f.out.Receipt.MessageID)
	if err != nil {
		f.t.Fatalf("stored message %q: %v", f.out.Receipt.MessageID, err)
	}
	return m
}

func (f fixtureCheck) conversation() core.Conversation {
	f.t.Helper()
	c, err := f.e.store.Conversation(context.Background(), f.out.Receipt.ConversationID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func decode[T any](t *testing.T, key string, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("expect.%s: %v", key, err)
	}
	return v
}

func (f fixtureCheck) key(key string, raw json.RawMessage) {
	t := f.t
	t.Helper()
	ctx := context.Background()
	switch key {
	case "channel":
		if got, want := Type, decode[string](t, key, raw); got != want {
			t.Errorf("channel = %q, want %q", got, want)
		}
	case "outcome":
		f.outcome(decode[string](t, key, raw))
	case "external_message_id":
		want := decode[string](t, key, raw)
		if got := f.out.Inbound.ProviderMessageID; got != want {
			t.Errorf("provider message id = %q, want %q", got, want)
		}
		if m, err := f.e.store.MessageByProviderID(ctx, channelName, want); err != nil || m.ID != f.out.Receipt.MessageID {
			t.Errorf("hub message by provider id %q = %v (%v), want %s", want, m.ID, err, f.out.Receipt.MessageID)
		}
	case "contact":
		f.contact(decode[map[string]string](t, key, raw))
	case "subject":
		if got, want := f.out.Mail.Subject, decode[string](t, key, raw); got != want {
			t.Errorf("subject = %q, want %q", got, want)
		}
	case "sent_at":
		want, err := time.Parse(time.RFC3339, decode[string](t, key, raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.stored().SentAt; !got.Equal(want) {
			t.Errorf("sent at = %s, want %s", got.UTC(), want)
		}
	case "text":
		if got, want := fixtureText(f.stored().Text), decode[string](t, key, raw); got != want {
			t.Errorf("stored text = %q, want %q", got, want)
		}
	case "raw_text":
		if got, want := fixtureText(f.out.Inbound.Text), decode[string](t, key, raw); got != want {
			t.Errorf("text before masking = %q, want %q", got, want)
		}
	case "pii_masked":
		if got, want := f.stored().Masked, decode[bool](t, key, raw); got != want {
			t.Errorf("masked = %v, want %v", got, want)
		}
	case "text_contains", "text_not_contains":
		text := collapseSpace(f.stored().Text)
		for _, s := range decode[[]string](t, key, raw) {
			if has := strings.Contains(text, collapseSpace(s)); has != (key == "text_contains") {
				t.Errorf("%s %q: text is %q", key, s, text)
			}
		}
	case "text_without_quote":
		if got, want := fixtureText(f.out.Mail.TextWithoutQuote), decode[string](t, key, raw); got != want {
			t.Errorf("text without quote = %q, want %q", got, want)
		}
	case "attachments":
		f.attachments(decode[[]map[string]any](t, key, raw))
	case "thread":
		f.thread(decode[map[string]json.RawMessage](t, key, raw))
	case "filter_reason":
		want := decode[string](t, key, raw)
		if f.out.FilterReason != want || f.conversation().FilterReason != want {
			t.Errorf("filter reason = %q, conversation's = %q, want %q", f.out.FilterReason, f.conversation().FilterReason, want)
		}
	case "bounce":
		f.bounce(decode[map[string]string](t, key, raw))
	case "reject_reason":
		if want := decode[string](t, key, raw); !strings.Contains(f.out.Reason, want) {
			t.Errorf("reject reason = %q, want it to say %q", f.out.Reason, want)
		}
	case "duplicate_of":
		first := f.all[decode[string](t, key, raw)]
		if !f.out.Receipt.Duplicate || f.out.Receipt.MessageID != first.Receipt.MessageID {
			t.Errorf("receipt = %+v, want a duplicate of message %s", f.out.Receipt, first.Receipt.MessageID)
		}
	default:
		t.Errorf("expect.%s is not checked by this test", key)
	}
}

func (f fixtureCheck) outcome(want string) {
	t := f.t
	if f.out.Result != want {
		t.Fatalf("outcome = %q (%s), want %q", f.out.Result, f.out.Reason, want)
	}
	switch want {
	case ResultMessage:
		if c := f.conversation(); c.FilterReason != "" {
			t.Errorf("conversation filtered as %q, want it in the inbox", c.FilterReason)
		}
	case ResultFiltered:
		items, err := f.e.store.Conversations(context.Background(), core.ConversationQuery{View: core.ViewFiltered, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(items, func(c core.ConversationItem) bool { return c.ID == f.out.Receipt.ConversationID }) {
			t.Errorf("conversation %s is not in the Filtered view", f.out.Receipt.ConversationID)
		}
	case ResultRejected:
		if f.out.Receipt.MessageID != "" || f.out.Inbound.ProviderMessageID != "" {
			t.Errorf("a rejected mail reached the hub: %+v", f.out.Receipt)
		}
	case ResultDuplicate:
		if !f.out.Receipt.Duplicate {
			t.Error("receipt is not a duplicate")
		}
	}
}

func (f fixtureCheck) contact(want map[string]string) {
	t := f.t
	c, err := f.e.store.Contact(context.Background(), f.conversation().ContactID)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		var got string
		switch k {
		case "external_id":
			for _, id := range c.Identities {
				if id.Channel == channelName {
					got = id.ExternalID
				}
			}
		case "display_name":
			got = c.Name
		default:
			t.Errorf("contact.%s is not checked by this test", k)
			continue
		}
		if got != v {
			t.Errorf("contact %s = %q, want %q", k, got, v)
		}
	}
}

func (f fixtureCheck) attachments(want []map[string]any) {
	t := f.t
	stored := f.stored().Attachments
	parsed := f.out.Mail.Attachments
	if len(stored) != len(want) || len(parsed) != len(want) {
		t.Fatalf("attachments: stored %d, parsed %d, want %d", len(stored), len(parsed), len(want))
	}
	for i, w := range want {
		for k, v := range w {
			var got any
			switch k {
			case "filename":
				got = stored[i].Filename
			case "mime_type":
				got = stored[i].MIMEType
			case "size":
				got = float64(stored[i].Size)
			case "inline":
				got = parsed[i].Inline
			case "content_id":
				got = parsed[i].ContentID
			default:
				t.Errorf("attachments[%d].%s is not checked by this test", i, k)
				continue
			}
			if fmt.Sprint(got) != fmt.Sprint(v) {
				t.Errorf("attachments[%d].%s = %v, want %v", i, k, got, v)
			}
		}
	}
}

func (f fixtureCheck) thread(want map[string]json.RawMessage) {
	t := f.t
	th := f.out.Thread
	got := map[string]any{
		"is_reply": th.IsReply, "in_reply_to": th.InReplyTo, "references": th.References,
		"thread_key": th.Key, "hub_message_id": th.HubMessageID,
	}
	for k, raw := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("thread.%s is not checked by this test", k)
			continue
		}
		if string(raw) == "null" {
			if fmt.Sprint(g) != "" && fmt.Sprint(g) != "[]" {
				t.Errorf("thread.%s = %v, want none", k, g)
			}
			continue
		}
		var w any
		_ = json.Unmarshal(raw, &w)
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("thread.%s = %v, want %v", k, g, w)
		}
	}
	if key, ok := want["thread_key"]; ok {
		if got := f.stored().ThreadKey; `"`+got+`"` != string(key) {
			t.Errorf("stored thread key = %q, want %s", got, key)
		}
	}
}

func (f fixtureCheck) bounce(want map[string]string) {
	t := f.t
	failed, ok := f.out.Mail.Report.Failure()
	if !ok {
		t.Fatal("no failed recipient in the delivery report")
	}
	got := map[string]string{
		"failed_recipient": failed.Recipient, "status": failed.Status, "action": failed.Action,
		"original_message_id": f.out.Mail.Report.OriginalMessageID,
	}
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("bounce.%s is not checked by this test", k)
		} else if g != v {
			t.Errorf("bounce.%s = %q, want %q", k, g, v)
		}
	}
}

// fixtureText is text as the manifest compares it: LF line ends, no
// trailing whitespace.
func fixtureText(s string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), " \t\n")
}

// collapseSpace turns runs of whitespace, U+00A0 included, into one space.
func collapseSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == '\u00a0' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), " ")
}
