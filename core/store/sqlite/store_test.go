package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

func TestOpen_requires_path(t *testing.T) {
	if _, err := sqlite.Open(context.Background(), sqlite.Config{}); err == nil {
		t.Fatalf("Open() without path error = nil, want an error")
	}
}

func TestOpen_migrations_are_idempotent_on_reopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	for i := range 3 {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
		if err != nil {
			t.Fatalf("Open() #%d error = %v", i+1, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close() #%d error = %v", i+1, err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, version int
	if err := db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &version); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if n != version {
		t.Errorf("schema_migrations rows = %d, want one per version (%d)", n, version)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
}

func TestOpen_refuses_a_newer_schema(t *testing.T) {
	s, path := open(t)
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path}); err == nil {
		s.Close()
		t.Fatalf("Open() of a newer schema error = nil, want an error")
	}
}

func TestStore_data_is_durable_after_close_and_reopen(t *testing.T) {
	s, path := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		return tx.InsertMessage(ctx, message("msg_1", "cnv_1", "crm", "p1", "kept"))
	})
	if err := s.Close(); err != nil {
		t.Fatalf("Close() error = %v", err)
	}
	s = openAt(t, path)
	m, err := s.Message(context.Background(), "msg_1")
	if err != nil {
		t.Fatalf("Message() after reopen error = %v", err)
	}
	if m.Text != "kept" {
		t.Errorf("Text = %q, want %q", m.Text, "kept")
	}
}

func TestStore_round_trips(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	at := func(min int) *time.Time { v := t0.Add(time.Duration(min) * time.Minute); return &v }

	c := core.Contact{
		ID: "ctc_1", Name: "Anna Berg", Email: "anna@example.com", Phone: "+4915112345678", Locale: "de",
		Blocked: true, Verified: true, Fields: map[string]string{"company": "Acme"},
		Identities: []core.Identity{{Channel: "crm", ExternalID: "42", Verified: true}, {Channel: "mail", ExternalID: "anna@example.com"}},
		CreatedAt:  t0, UpdatedAt: t0.Add(time.Second),
	}
	v := core.Conversation{
		ID: "cnv_1", ContactID: "ctc_1", Channel: "crm", Status: core.StatusResolved, Live: true, Topic: "billing",
		AssigneeID: "op_1", Group: "sales", FilterReason: "", TrashedAt: at(5), ThreadKey: "th",
		CreatedAt: t0, UpdatedAt: *at(1), LastMessageAt: *at(2), LastContactAt: *at(3), ResolvedAt: at(4),
	}
	m := core.Message{
		ID: "msg_1", ConversationID: "cnv_1", Channel: "crm", Direction: core.DirectionOut, Kind: core.KindMessage,
		Text: "hi", Note: true, Author: "op_1", Status: core.DeliveryFailed, Error: "refused", Attempts: 3,
		ProviderMessageID: "p1", IdempotencyKey: "k1", ThreadKey: "th", Masked: true,
		Attachments: []core.Attachment{
			{Filename: "a.png", MIMEType: "image/png", Size: 10, Blob: "sha256:aa", Voice: false, Flagged: true},
			{Filename: "v.ogg", MIMEType: "audio/ogg", Size: 20, Blob: "sha256:bb", Voice: true},
		},
		DeletedAt: at(6), EditedAt: at(7), SentAt: t0, CreatedAt: t0,
	}
	o := core.Operator{ID: "op_1", Email: "Op@Example.com", Name: "Op", Role: core.RoleAdmin, Groups: []string{"sales", "de"},
		Slots: 3, PasswordHash: "hash", CreatedAt: t0}
	sess := core.Session{TokenHash: "th1", OperatorID: "op_1", ExpiresAt: *at(60), CreatedAt: t0}
	mac := core.Macro{ID: "mac_1", Name: "hello", Text: "Hello!", CreatedBy: "op_1", CreatedAt: t0}
	n := core.Notification{ID: "ntf_1", OperatorID: "op_1", Type: "assigned", ConversationID: "cnv_1", Text: "x", CreatedAt: t0}
	p := core.Poisoned{ID: "poi_1", Topic: "events", Key: "cnv_1", Handler: "h", Reason: "boom", Payload: []byte("{}"),
		MessageID: "msg_1", CreatedAt: t0}
	d := core.EventDelivery{EventID: "evt_1", EventType: "message.created", URL: "http://x", Attempt: 1, StatusCode: 500,
		Error: "bad", Duration: time.Second, At: t0}

	update(t, s, func(ctx context.Context, tx core.Tx) error {
		for _, err := range []error{
			tx.InsertOperator(ctx, o), tx.InsertContact(ctx, c), tx.InsertConversation(ctx, v), tx.InsertMessage(ctx, m),
			tx.InsertSession(ctx, sess), tx.PutMacro(ctx, mac), tx.InsertNotification(ctx, n), tx.InsertPoisoned(ctx, p),
			tx.InsertEventDelivery(ctx, d),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})

	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s error = %v", name, err)
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got = %+v\nwant %+v", name, got, want)
		}
	}
	gc, err := s.Contact(ctx, "ctc_1")
	check("Contact", gc, c, err)
	gc, err = s.ContactByIdentity(ctx, "mail", "anna@example.com")
	check("ContactByIdentity", gc, c, err)
	gv, err := s.Conversation(ctx, "cnv_1")
	check("Conversation", gv, v, err)
	gm, err := s.Message(ctx, "msg_1")
	check("Message", gm, m, err)
	gm, err = s.MessageByProviderID(ctx, "crm", "p1")
	check("MessageByProviderID", gm, m, err)
	gm, err = s.MessageByIdempotencyKey(ctx, "k1")
	check("MessageByIdempotencyKey", gm, m, err)
	gms, err := s.Messages(ctx, "cnv_1")
	check("Messages", gms, []core.Message{m}, err)
	gcs, err := s.ContactConversations(ctx, "ctc_1")
	check("ContactConversations", gcs, []core.Conversation{v}, err)
	gvx, err := s.Operator(ctx, "op_1")
	check("Operator", gvx, o, err)
	gvx, err = s.OperatorByEmail(ctx, "op@example.com")
	check("OperatorByEmail (any case)", gvx, o, err)
	gs, err := s.Session(ctx, "th1")
	check("Session", gs, sess, err)
	gmac, err := s.MacroByName(ctx, "HELLO")
	check("MacroByName (any case)", gmac, mac, err)
	gn, err := s.Notifications(ctx, "op_1", 0)
	check("Notifications", gn, []core.Notification{n}, err)
	gp, err := s.PoisonedByID(ctx, "poi_1")
	check("PoisonedByID", gp, p, err)
	gd, err := s.EventDeliveries(ctx, core.EventDeliveryQuery{EventID: "evt_1"})
	d.ID = 1
	check("EventDeliveries", gd, []core.EventDelivery{d}, err)
	ref, err := s.BlobReferenced(ctx, "sha256:bb")
	check("BlobReferenced(used)", ref, true, err)
	ref, err = s.BlobReferenced(ctx, "sha256:cc")
	check("BlobReferenced(unused)", ref, false, err)
}

func TestReader_missing_rows_wrap_ErrNotFound(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	for name, err := range map[string]error{
		"Contact":                 second(s.Contact(ctx, "x")),
		"ContactByIdentity":       second(s.ContactByIdentity(ctx, "crm", "x")),
		"Conversation":            second(s.Conversation(ctx, "x")),
		"Message":                 second(s.Message(ctx, "x")),
		"MessageByProviderID":     second(s.MessageByProviderID(ctx, "crm", "x")),
		"MessageByProviderID('')": second(s.MessageByProviderID(ctx, "crm", "")),
		"MessageByIdempotencyKey": second(s.MessageByIdempotencyKey(ctx, "")),
		"Operator":                second(s.Operator(ctx, "x")),
		"OperatorByEmail":         second(s.OperatorByEmail(ctx, "x")),
		"Session":                 second(s.Session(ctx, "x")),
		"MacroByName":             second(s.MacroByName(ctx, "x")),
		"PoisonedByID":            second(s.PoisonedByID(ctx, "x")),
	} {
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s error = %v, want ErrNotFound", name, err)
		}
	}
	for name, fn := range map[string]func(context.Context, core.Tx) error{
		"UpdateContact": func(ctx context.Context, tx core.Tx) error { return tx.UpdateContact(ctx, core.Contact{ID: "x"}) },
		"UpdateConversation": func(ctx context.Context, tx core.Tx) error {
			return tx.UpdateConversation(ctx, core.Conversation{ID: "x"})
		},
		"UpdateMessage":      func(ctx context.Context, tx core.Tx) error { return tx.UpdateMessage(ctx, core.Message{ID: "x"}) },
		"DeleteMessage":      func(ctx context.Context, tx core.Tx) error { return tx.DeleteMessage(ctx, "x") },
		"UpdateOperator":     func(ctx context.Context, tx core.Tx) error { return tx.UpdateOperator(ctx, core.Operator{ID: "x"}) },
		"DeleteMacro":        func(ctx context.Context, tx core.Tx) error { return tx.DeleteMacro(ctx, "x") },
		"DeletePoisoned":     func(ctx context.Context, tx core.Tx) error { return tx.DeletePoisoned(ctx, "x") },
		"EraseContact":       func(ctx context.Context, tx core.Tx) error { return second(tx.EraseContact(ctx, "x")) },
		"DeleteConversation": func(ctx context.Context, tx core.Tx) error { return second(tx.DeleteConversation(ctx, "x")) },
		"ActiveConversation": func(ctx context.Context, tx core.Tx) error { return second(tx.ActiveConversation(ctx, "x", "crm")) },
	} {
		if err := s.Update(ctx, fn); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s error = %v, want ErrNotFound", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestTx_duplicates_are_DuplicateErrors(t *testing.T) {
	s, _ := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	ctx := context.Background()
	withKey := func(id, pid, key string) core.Message {
		m := message(id, "cnv_1", "crm", pid, "x")
		m.IdempotencyKey = key
		return m
	}
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		if err := tx.InsertMessage(ctx, withKey("msg_1", "p1", "k1")); err != nil {
			return err
		}
		if err := tx.InsertOperator(ctx, core.Operator{ID: "op_1", Email: "a@x.io", Role: core.RoleOperator}); err != nil {
			return err
		}
		return tx.PutMacro(ctx, core.Macro{ID: "mac_1", Name: "hi", Text: "Hi"})
	})
	tests := []struct {
		name string
		fn   func(context.Context, core.Tx) error
	}{
		{"same provider id on the channel", func(ctx context.Context, tx core.Tx) error {
			return tx.InsertMessage(ctx, withKey("msg_2", "p1", ""))
		}},
		{"same idempotency key", func(ctx context.Context, tx core.Tx) error {
			return tx.InsertMessage(ctx, withKey("msg_2", "", "k1"))
		}},
		{"same message id", func(ctx context.Context, tx core.Tx) error {
			return tx.InsertMessage(ctx, withKey("msg_1", "p9", ""))
		}},
		{"provider id taken by an update", func(ctx context.Context, tx core.Tx) error {
			if err := tx.InsertMessage(ctx, withKey("msg_2", "p2", "")); err != nil {
				return err
			}
			return tx.UpdateMessage(ctx, withKey("msg_2", "p1", ""))
		}},
		{"identity linked to another contact", func(ctx context.Context, tx core.Tx) error {
			return tx.InsertContact(ctx, contact("ctc_2", "crm", "ext-ctc_1"))
		}},
		{"identity added to another contact", func(ctx context.Context, tx core.Tx) error {
			if err := tx.InsertContact(ctx, contact("ctc_2", "crm", "ext-ctc_2")); err != nil {
				return err
			}
			return tx.AddIdentity(ctx, "ctc_2", core.Identity{Channel: "crm", ExternalID: "ext-ctc_1"})
		}},
		{"operator email in another case", func(ctx context.Context, tx core.Tx) error {
			return tx.InsertOperator(ctx, core.Operator{ID: "op_2", Email: "A@X.io", Role: core.RoleOperator})
		}},
		{"macro name", func(ctx context.Context, tx core.Tx) error {
			return tx.PutMacro(ctx, core.Macro{ID: "mac_2", Name: "HI", Text: "x"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Update(ctx, tt.fn)
			if !core.IsDuplicate(err) {
				t.Errorf("error = %v, want a duplicate", err)
			}
		})
	}
	// The same provider id on another channel, and empty keys, are fine.
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		other := withKey("msg_3", "p1", "")
		other.Channel = "mail"
		if err := tx.InsertMessage(ctx, other); err != nil {
			return err
		}
		if err := tx.InsertMessage(ctx, withKey("msg_4", "", "")); err != nil {
			return err
		}
		return tx.InsertMessage(ctx, withKey("msg_5", "", ""))
	})
}

func TestTx_AddIdentity_again_for_the_same_contact_updates_it(t *testing.T) {
	s, _ := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		return tx.AddIdentity(ctx, "ctc_1", core.Identity{Channel: "crm", ExternalID: "ext-ctc_1", Verified: true})
	})
	c, err := s.Contact(context.Background(), "ctc_1")
	if err != nil {
		t.Fatal(err)
	}
	want := []core.Identity{{Channel: "crm", ExternalID: "ext-ctc_1", Verified: true}}
	if !reflect.DeepEqual(c.Identities, want) {
		t.Errorf("Identities = %v, want %v", c.Identities, want)
	}
}

func TestTx_reads_see_the_transactions_own_writes(t *testing.T) {
	s, _ := open(t)
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		if err := tx.InsertContact(ctx, contact("ctc_1", "crm", "e1")); err != nil {
			return err
		}
		c, err := tx.ContactByIdentity(ctx, "crm", "e1")
		if err != nil {
			return err
		}
		if c.ID != "ctc_1" {
			t.Errorf("ContactByIdentity().ID = %q, want ctc_1", c.ID)
		}
		return nil
	})
}
