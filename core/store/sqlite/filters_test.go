package sqlite_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// filterFixture stores two contacts (de verified, en not) and conversations
//
//	billing  de, topic Billing, group sales, live
//	support  de, topic Support, group support
//	english  en, topic billing (lower case), no group
//	gone     en, trashed, topic Billing
func filterFixture(t *testing.T, s core.Store) {
	t.Helper()
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	conv := func(id, contactID, topic, group string, last int) core.Conversation {
		c := conversation(id, contactID, "crm")
		c.Topic, c.Group, c.LastMessageAt = topic, group, at(last)
		return c
	}
	billing := conv("billing", "ctc_de", "Billing", "sales", 1)
	billing.Live, billing.AssigneeID = true, "op_1"
	gone := conv("gone", "ctc_en", "Billing", "", 4)
	trashed := at(5)
	gone.TrashedAt = &trashed
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		de := contact("ctc_de", "crm", "de")
		de.Locale, de.Verified = "de-CH", true
		en := contact("ctc_en", "crm", "en")
		en.Locale = "en"
		for _, c := range []core.Contact{de, en} {
			if err := tx.InsertContact(ctx, c); err != nil {
				return err
			}
		}
		for _, c := range []core.Conversation{billing, conv("support", "ctc_de", "Support", "support", 2), conv("english", "ctc_en", "billing", "", 3), gone} {
			if err := tx.InsertConversation(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestConversations_filter_by_topic_group_locale_and_live(t *testing.T) {
	s, _ := open(t)
	filterFixture(t, s)
	tests := []struct {
		name string
		q    core.ConversationQuery
		want []string
	}{
		{"topic ignores case, trash stays out", core.ConversationQuery{Topic: "BILLING"}, []string{"billing", "english"}},
		{"group", core.ConversationQuery{Group: "support"}, []string{"support"}},
		{"the contact's locale", core.ConversationQuery{Locale: "de-ch"}, []string{"billing", "support"}},
		{"live only", core.ConversationQuery{Live: true}, []string{"billing"}},
		{"filters combine", core.ConversationQuery{Topic: "billing", Locale: "en"}, []string{"english"}},
		{"trash view with a topic", core.ConversationQuery{View: core.ViewTrash, Topic: "billing"}, []string{"gone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listIDs(t, s, tt.q); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCountConversations_counts_what_the_list_shows(t *testing.T) {
	s, _ := open(t)
	viewFixture(t, s)
	for _, q := range []core.ConversationQuery{
		{View: core.ViewAll}, {View: core.ViewUnassigned}, {View: core.ViewMine, Me: "op_1"}, {View: core.ViewTrash},
		{Statuses: []core.Status{core.StatusWaiting}}, {Live: true}, {Channel: "mail"}, {Text: "Name"},
	} {
		n, err := s.CountConversations(context.Background(), q)
		if err != nil {
			t.Fatalf("CountConversations(%+v) error = %v", q, err)
		}
		if want := len(listIDs(t, s, q)); n != want {
			t.Errorf("CountConversations(%+v) got = %d, want %d (the list's length)", q, n, want)
		}
	}
	if _, err := s.CountConversations(context.Background(), core.ConversationQuery{View: core.ViewMine}); core.ErrorCode(err) != core.CodeInvalid {
		t.Errorf("mine without Me: error = %v, want an invalid error", err)
	}
}

func TestContacts_filter_by_verified_and_last_message(t *testing.T) {
	s, _ := open(t)
	filterFixture(t, s)
	yes, no := true, false
	tests := []struct {
		name string
		q    core.ContactQuery
		want []string
	}{
		{"verified", core.ContactQuery{Verified: &yes}, []string{"ctc_de"}},
		{"not verified", core.ContactQuery{Verified: &no}, []string{"ctc_en"}},
		// ctc_de last wrote at minute 2, ctc_en at minute 4 (in the trash too).
		{"last message from", core.ContactQuery{From: t0.Add(3 * time.Minute)}, []string{"ctc_en"}},
		{"last message before", core.ContactQuery{To: t0.Add(3 * time.Minute)}, []string{"ctc_de"}},
		{"range takes the latest conversation", core.ContactQuery{From: t0.Add(time.Minute), To: t0.Add(2 * time.Minute)}, []string{}},
		{"with search text", core.ContactQuery{Text: "Name", Verified: &no}, []string{"ctc_en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := s.Contacts(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Contacts(%+v) error = %v", tt.q, err)
			}
			got := []string{}
			for _, c := range cs {
				got = append(got, c.ID)
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got = %v, want %v", got, tt.want)
			}
		})
	}
}
