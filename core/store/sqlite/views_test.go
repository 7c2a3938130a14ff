package sqlite_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// viewFixture stores one contact and these conversations:
//
//	new      unassigned, NEW
//	mine     assigned to op_1, OPEN, last message newest
//	live     assigned to op_1, WAITING, live
//	other    assigned to op_2, OPEN, on channel mail
//	done     assigned to op_1, RESOLVED
//	spam     filtered
//	bin      trashed
func viewFixture(t *testing.T, s core.Store) {
	t.Helper()
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	conv := func(id string, status core.Status, assignee string, last int) core.Conversation {
		c := conversation(id, "ctc_1", "crm")
		c.Status, c.AssigneeID, c.LastMessageAt, c.LastContactAt = status, assignee, at(last), at(last)
		return c
	}
	live := conv("live", core.StatusWaiting, "op_1", 1)
	live.Live = true
	other := conv("other", core.StatusOpen, "op_2", 4)
	other.Channel = "mail"
	spam := conv("spam", core.StatusNew, "", 6)
	spam.FilterReason = "role sender"
	bin := conv("bin", core.StatusOpen, "", 7)
	trashed := at(8)
	bin.TrashedAt = &trashed
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		if err := tx.InsertContact(ctx, contact("ctc_1", "crm", "e1")); err != nil {
			return err
		}
		for _, c := range []core.Conversation{
			conv("new", core.StatusNew, "", 2), conv("mine", core.StatusOpen, "op_1", 5), live, other,
			conv("done", core.StatusResolved, "op_1", 3), spam, bin,
		} {
			if err := tx.InsertConversation(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func listIDs(t *testing.T, s core.Reader, q core.ConversationQuery) []string {
	t.Helper()
	items, err := s.Conversations(context.Background(), q)
	if err != nil {
		t.Fatalf("Conversations(%+v) error = %v", q, err)
	}
	ids := []string{}
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

func TestConversations_views_and_order(t *testing.T) {
	s, _ := open(t)
	viewFixture(t, s)
	tests := []struct {
		name string
		q    core.ConversationQuery
		want []string
	}{
		{"all: live first, then by status, then newest", core.ConversationQuery{View: core.ViewAll},
			[]string{"live", "new", "mine", "other", "done"}},
		{"empty view is all", core.ConversationQuery{}, []string{"live", "new", "mine", "other", "done"}},
		{"mine leaves resolved out", core.ConversationQuery{View: core.ViewMine, Me: "op_1"}, []string{"live", "mine"}},
		{"mine with statuses", core.ConversationQuery{View: core.ViewMine, Me: "op_1", Statuses: []core.Status{core.StatusResolved}},
			[]string{"done"}},
		{"unassigned", core.ConversationQuery{View: core.ViewUnassigned}, []string{"new"}},
		{"filtered", core.ConversationQuery{View: core.ViewFiltered}, []string{"spam"}},
		{"trash", core.ConversationQuery{View: core.ViewTrash}, []string{"bin"}},
		{"by status", core.ConversationQuery{Statuses: []core.Status{core.StatusOpen, core.StatusNew}}, []string{"new", "mine", "other"}},
		{"by channel", core.ConversationQuery{Channel: "mail"}, []string{"other"}},
		{"by operator", core.ConversationQuery{Operator: "op_1"}, []string{"live", "mine", "done"}},
		{"from inclusive, to exclusive", core.ConversationQuery{From: t0.Add(3 * time.Minute), To: t0.Add(5 * time.Minute)},
			[]string{"other", "done"}},
		{"limit", core.ConversationQuery{Limit: 2}, []string{"live", "new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listIDs(t, s, tt.q); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConversations_refuses_bad_queries(t *testing.T) {
	s, _ := open(t)
	for _, q := range []core.ConversationQuery{{View: "everything"}, {View: core.ViewMine}} {
		_, err := s.Conversations(context.Background(), q)
		if core.ErrorCode(err) != core.CodeInvalid {
			t.Errorf("Conversations(%+v) error = %v, want an invalid error", q, err)
		}
	}
}

func TestConversations_items_carry_contact_and_preview(t *testing.T) {
	s, _ := open(t)
	seed(t, s, "ctc_1", "cnv_1")
	long := strings.Repeat("word ", 60)
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		note := message("msg_3", "cnv_1", "crm", "", "internal note")
		note.Note, note.CreatedAt = true, t0.Add(3*time.Second)
		first := message("msg_1", "cnv_1", "crm", "p1", "first")
		last := message("msg_2", "cnv_1", "crm", "p2", long)
		last.CreatedAt = t0.Add(time.Second)
		for _, m := range []core.Message{first, last, note} {
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	items, err := s.Conversations(context.Background(), core.ConversationQuery{})
	if err != nil || len(items) != 1 {
		t.Fatalf("Conversations() = %v, %v; want one item", items, err)
	}
	it := items[0]
	if it.Contact.ID != "ctc_1" || len(it.Contact.Identities) != 1 {
		t.Errorf("Contact = %+v, want ctc_1 with its identity", it.Contact)
	}
	if !strings.HasPrefix(it.LastMessage, "word word") || !strings.HasSuffix(it.LastMessage, "…") ||
		len([]rune(it.LastMessage)) > 140 {
		t.Errorf("LastMessage = %q, want the last non-note message cut to 140 characters", it.LastMessage)
	}
}

func TestActiveConversation_is_the_newest_untrashed(t *testing.T) {
	s, _ := open(t)
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		if err := tx.InsertContact(ctx, contact("ctc_1", "crm", "e1")); err != nil {
			return err
		}
		old := conversation("old", "ctc_1", "crm")
		resolved := conversation("resolved", "ctc_1", "crm")
		resolved.Status, resolved.CreatedAt = core.StatusResolved, t0.Add(time.Hour)
		trashed := conversation("trashed", "ctc_1", "crm")
		trashed.CreatedAt, trashed.TrashedAt = t0.Add(2*time.Hour), &t0
		elsewhere := conversation("elsewhere", "ctc_1", "mail")
		elsewhere.CreatedAt = t0.Add(3 * time.Hour)
		for _, c := range []core.Conversation{old, resolved, trashed, elsewhere} {
			if err := tx.InsertConversation(ctx, c); err != nil {
				return err
			}
		}
		got, err := tx.ActiveConversation(ctx, "ctc_1", "crm")
		if err != nil {
			return err
		}
		if got.ID != "resolved" {
			t.Errorf("ActiveConversation() = %s, want resolved", got.ID)
		}
		return nil
	})
	cs, err := s.ContactConversations(context.Background(), "ctc_1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	if want := []string{"elsewhere", "trashed", "resolved", "old"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ContactConversations() = %v, want %v", ids, want)
	}
}

func TestDueForAutoResolve_LiveIdleSince_LiveCounts(t *testing.T) {
	s, _ := open(t)
	viewFixture(t, s)
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		quiet := conversation("quiet", "ctc_1", "crm") // no messages: its creation counts
		quiet.LastMessageAt, quiet.CreatedAt = time.Time{}, t0.Add(-time.Hour)
		return tx.InsertConversation(ctx, quiet)
	})
	ctx := context.Background()
	due, err := s.DueForAutoResolve(ctx, t0.Add(2*time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range due {
		ids = append(ids, c.ID)
	}
	if want := []string{"quiet", "live", "new"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("DueForAutoResolve() = %v, want %v (quietest first; not resolved, not trashed)", ids, want)
	}
	idle, err := s.LiveIdleSince(ctx, t0.Add(2*time.Minute))
	if err != nil || len(idle) != 1 || idle[0].ID != "live" {
		t.Errorf("LiveIdleSince() = %v, %v; want [live]", idle, err)
	}
	if idle, err := s.LiveIdleSince(ctx, t0); err != nil || len(idle) != 0 {
		t.Errorf("LiveIdleSince(before) = %v, %v; want none", idle, err)
	}
	if far, err := s.LiveIdleSince(ctx, t0.AddDate(500, 0, 0)); err != nil || len(far) != 1 {
		t.Errorf("LiveIdleSince(year 2525) = %v, %v; want [live]", far, err)
	}
	counts, err := s.LiveCounts(ctx)
	if want := map[string]int{"op_1": 1}; err != nil || !reflect.DeepEqual(counts, want) {
		t.Errorf("LiveCounts() = %v, %v; want %v", counts, err, want)
	}
}

func TestOperators_groups_sessions_macros(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	o := core.Operator{ID: "op_1", Email: "a@x.io", Role: core.RoleOperator, Groups: []string{"sales"}, CreatedAt: t0}
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		if err := tx.InsertOperator(ctx, o); err != nil {
			return err
		}
		o.Groups, o.Slots = []string{"support", "de"}, 2
		if err := tx.UpdateOperator(ctx, o); err != nil {
			return err
		}
		if err := tx.InsertSession(ctx, core.Session{TokenHash: "t", OperatorID: "op_1", ExpiresAt: t0, CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.PutMacro(ctx, core.Macro{ID: "m1", Name: "bye", Text: "Bye", CreatedAt: t0}); err != nil {
			return err
		}
		return tx.PutMacro(ctx, core.Macro{ID: "m1", Name: "ciao", Text: "Ciao", CreatedAt: t0})
	})
	ops, err := s.Operators(ctx)
	if err != nil || len(ops) != 1 || !reflect.DeepEqual(ops[0], o) {
		t.Errorf("Operators() = %+v, %v; want [%+v]", ops, err, o)
	}
	ms, err := s.Macros(ctx)
	if err != nil || len(ms) != 1 || ms[0].Name != "ciao" {
		t.Errorf("Macros() = %+v, %v; want the replaced macro only", ms, err)
	}
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		if err := tx.DeleteSession(ctx, "t"); err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, "t"); err != nil { // logging out twice is harmless
			return err
		}
		return tx.DeleteMacro(ctx, "m1")
	})
	if _, err := s.Session(ctx, "t"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Session() after delete error = %v, want ErrNotFound", err)
	}
}
