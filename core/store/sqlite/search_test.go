package sqlite_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

// searchIDs returns the ids of the conversations the All view finds for
// text, sorted.
func searchIDs(t *testing.T, s core.Reader, text string) []string {
	t.Helper()
	items, err := s.Conversations(context.Background(), core.ConversationQuery{View: core.ViewAll, Text: text})
	if err != nil {
		t.Fatalf("Conversations(Text: %q) error = %v", text, err)
	}
	ids := []string{}
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	slices.Sort(ids)
	return ids
}

// seedSearch stores two contacts with a conversation each.
func seedSearch(t *testing.T, s core.Store) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		anna := contact("ctc_anna", "crm", "anna-1")
		anna.Name, anna.Email, anna.Phone = "Anna Müller", "anna@example.com", "+4915112345678"
		anna.Fields = map[string]string{"company": "Globex"}
		bob := contact("ctc_bob", "crm", "bob-1")
		bob.Name, bob.Email = "Bob Stone", "bob@example.org"
		for _, err := range []error{
			tx.InsertContact(ctx, anna), tx.InsertContact(ctx, bob),
			tx.InsertConversation(ctx, conversation("cnv_anna", "ctc_anna", "crm")),
			tx.InsertConversation(ctx, conversation("cnv_bob", "ctc_bob", "crm")),
			tx.InsertMessage(ctx, message("msg_1", "cnv_anna", "crm", "p1", "My parcel never arrived")),
			tx.InsertMessage(ctx, message("msg_2", "cnv_bob", "crm", "p2", "Invoice 2024-117 is wrong")),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func TestConversations_search_matches_messages_and_contacts(t *testing.T) {
	s, _ := open(t)
	seedSearch(t, s)
	tests := []struct {
		text string
		want []string
	}{
		{"parcel", []string{"cnv_anna"}},
		{"PARCEL arrived", []string{"cnv_anna"}},
		{"parc", []string{"cnv_anna"}}, // prefix on the last word
		{"invoice 2024", []string{"cnv_bob"}},
		{"anna@example.com", []string{"cnv_anna"}},
		{"example", []string{"cnv_anna", "cnv_bob"}},
		{"muller", []string{"cnv_anna"}}, // diacritics folded
		{"+4915112345678", []string{"cnv_anna"}},
		{"+49 151 12345678", []string{"cnv_anna"}},
		{"globex", []string{"cnv_anna"}}, // custom field value
		{"bob-1", []string{"cnv_bob"}},   // channel id
		{"stone parcel", []string{}},     // all words must match in one place
		{"nothing-like-this", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := searchIDs(t, s, tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConversations_search_survives_hostile_input(t *testing.T) {
	s, _ := open(t)
	seedSearch(t, s)
	for _, text := range []string{
		`"a" OR b*`, `NEAR(`, `NEAR(a b, 2)`, `"`, `*`, `^a`, `a AND`, `NOT`, `(((`, `col:x`, `{name email}: x`,
		`'; DROP TABLE messages; --`, "\x00", "a\u0301", `\`, `-x`, `+`, `a:`, `""*""`,
	} {
		if _, err := s.Conversations(context.Background(), core.ConversationQuery{Text: text}); err != nil {
			t.Errorf("Conversations(Text: %q) error = %v", text, err)
		}
		if _, err := s.Contacts(context.Background(), core.ContactQuery{Text: text}); err != nil {
			t.Errorf("Contacts(Text: %q) error = %v", text, err)
		}
	}
}

func TestSearch_follows_edits_and_deletes(t *testing.T) {
	s, _ := open(t)
	seedSearch(t, s)
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		m, err := tx.Message(ctx, "msg_1")
		if err != nil {
			return err
		}
		m.Text = "Where is my refund"
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		c, err := tx.Contact(ctx, "ctc_bob")
		if err != nil {
			return err
		}
		c.Email = "robert@example.net"
		return tx.UpdateContact(ctx, c)
	})
	for text, want := range map[string][]string{
		"parcel": {}, "refund": {"cnv_anna"}, "bob@example.org": {}, "robert@example.net": {"cnv_bob"},
	} {
		if got := searchIDs(t, s, text); !reflect.DeepEqual(got, want) {
			t.Errorf("after edits, search %q = %v, want %v", text, got, want)
		}
	}
	update(t, s, func(ctx context.Context, tx core.Tx) error { return tx.DeleteMessage(ctx, "msg_2") })
	if got := searchIDs(t, s, "invoice"); len(got) != 0 {
		t.Errorf("after delete, search invoice = %v, want none", got)
	}
}

func TestSearch_edit_in_the_same_commit_as_the_insert(t *testing.T) {
	s, _ := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		m := message("msg_1", "cnv_1", "crm", "p1", "first draft")
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		m.Text = "final words"
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		if err := tx.InsertMessage(ctx, message("msg_2", "cnv_1", "crm", "p2", "ephemeral")); err != nil {
			return err
		}
		return tx.DeleteMessage(ctx, "msg_2")
	})
	for text, want := range map[string][]string{"draft": {}, "final": {"cnv_1"}, "ephemeral": {}} {
		if got := searchIDs(t, s, text); !reflect.DeepEqual(got, want) {
			t.Errorf("search %q = %v, want %v", text, got, want)
		}
	}
}

func TestEraseContact_removes_everything_of_theirs(t *testing.T) {
	s, _ := open(t)
	seedSearch(t, s)
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		m := message("msg_3", "cnv_anna", "crm", "p3", "photo attached")
		m.Attachments = []core.Attachment{{Filename: "a.jpg", Blob: "sha256:aa"}, {Filename: "b.jpg", Blob: "sha256:bb"}}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		if err := tx.InsertPoisoned(ctx, core.Poisoned{ID: "poi_1", Topic: "events", Key: "cnv_anna",
			Payload: []byte(`{"text":"My parcel never arrived"}`), CreatedAt: t0}); err != nil {
			return err
		}
		return tx.InsertNotification(ctx, core.Notification{ID: "ntf_1", OperatorID: "op_1", Type: "message",
			ConversationID: "cnv_anna", Text: "New message from Anna", CreatedAt: t0})
	})
	var blobs []string
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		var err error
		blobs, err = tx.EraseContact(ctx, "ctc_anna")
		return err
	})
	if want := []string{"sha256:aa", "sha256:bb"}; !reflect.DeepEqual(blobs, want) {
		t.Errorf("EraseContact() blobs = %v, want %v", blobs, want)
	}
	ctx := context.Background()
	for _, text := range []string{"parcel", "anna", "muller", "4915112345678", "globex", "photo"} {
		if got := searchIDs(t, s, text); len(got) != 0 {
			t.Errorf("after erase, search %q = %v, want none", text, got)
		}
		if got, err := s.Contacts(ctx, core.ContactQuery{Text: text}); err != nil || len(got) != 0 {
			t.Errorf("after erase, Contacts(%q) = %v, %v; want none", text, got, err)
		}
	}
	if ms, err := s.Messages(ctx, "cnv_anna"); err != nil || len(ms) != 0 {
		t.Errorf("after erase, Messages() = %v, %v; want none", ms, err)
	}
	if ns, err := s.Notifications(ctx, "op_1", 0); err != nil || len(ns) != 0 {
		t.Errorf("after erase, Notifications() = %v, %v; want none", ns, err)
	}
	if ps, err := s.Poisoned(ctx); err != nil || len(ps) != 0 {
		t.Errorf("after erase, Poisoned() = %v, %v; want none", ps, err)
	}
	if used, err := s.BlobReferenced(ctx, "sha256:aa"); err != nil || used {
		t.Errorf("after erase, BlobReferenced() = %v, %v; want false", used, err)
	}
	if got := searchIDs(t, s, "invoice"); !reflect.DeepEqual(got, []string{"cnv_bob"}) {
		t.Errorf("after erase, others' search = %v, want [cnv_bob]", got)
	}
}

func TestDeleteConversation_returns_its_blobs_and_unindexes_it(t *testing.T) {
	s, _ := open(t)
	seedSearch(t, s)
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		m := message("msg_3", "cnv_bob", "crm", "p3", "scan attached")
		m.Attachments = []core.Attachment{{Filename: "scan.pdf", Blob: "sha256:cc"}}
		return tx.InsertMessage(ctx, m)
	})
	var blobs []string
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		var err error
		blobs, err = tx.DeleteConversation(ctx, "cnv_bob")
		return err
	})
	if want := []string{"sha256:cc"}; !reflect.DeepEqual(blobs, want) {
		t.Errorf("DeleteConversation() blobs = %v, want %v", blobs, want)
	}
	if got := searchIDs(t, s, "invoice"); len(got) != 0 {
		t.Errorf("search after delete = %v, want none", got)
	}
	if _, err := s.Contact(context.Background(), "ctc_bob"); err != nil {
		t.Errorf("the contact stays: Contact() error = %v", err)
	}
}

func TestContacts_search_and_list(t *testing.T) {
	s, _ := open(t)
	seedSearch(t, s)
	tests := []struct {
		text string
		want []string
	}{
		{"anna", []string{"ctc_anna"}},
		{"example.org", []string{"ctc_bob"}},
		{"+49 1511", []string{"ctc_anna"}},
		{"", []string{"ctc_anna", "ctc_bob"}},
		{"parcel", []string{}}, // message text is not a contact field
	}
	for _, tt := range tests {
		cs, err := s.Contacts(context.Background(), core.ContactQuery{Text: tt.text})
		if err != nil {
			t.Fatalf("Contacts(%q) error = %v", tt.text, err)
		}
		got := []string{}
		for _, c := range cs {
			got = append(got, c.ID)
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Contacts(%q) got = %v, want %v", tt.text, got, tt.want)
		}
	}
}
