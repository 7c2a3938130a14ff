package inbox_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
	"github.com/switchboard-hq/switchboard/core"
)

type countsBody struct {
	Unassigned, Mine, Live, Waiting, Limit int
}

func TestCounts_report_unassigned_mine_live_and_waiting_exactly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	e.receive("u1", "hello")
	e.receive("u2", "hello")
	mine := e.assigned("m1", e.anna)
	e.do(http.MethodPost, "/api/v1/conversations/"+mine+"/messages", e.anna.Token, map[string]any{"text": "On it"}).want(http.StatusCreated)
	e.assigned("b1", e.ben)

	var got countsBody
	e.do(http.MethodGet, "/api/v1/counts", e.anna.Token, nil).want(http.StatusOK).decode(&got)
	// Anna replied, so hers waits for the contact; Ben's is open.
	want := countsBody{Unassigned: 2, Mine: 1, Live: 0, Waiting: 1, Limit: 0}
	if got != want {
		t.Errorf("counts got = %+v, want %+v", got, want)
	}
}

func TestConversations_filter_by_topic_group_locale_and_live(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	billing := e.assigned("de", e.anna)
	e.do(http.MethodPost, "/api/v1/conversations/"+billing+"/topic", e.anna.Token, map[string]any{"topic": "Billing"}).want(http.StatusOK)
	other := e.receive("fr", "bonjour")
	e.do(http.MethodPost, "/api/v1/conversations/"+other.ConversationID+"/assign", e.anna.Token, map[string]any{"group": "sales"}).want(http.StatusOK)
	conv, err := e.store.Conversation(context.Background(), billing)
	if err != nil {
		t.Fatal(err)
	}
	e.do(http.MethodPatch, "/api/v1/contacts/"+conv.ContactID, e.anna.Token, map[string]any{"locale": "de-CH"}).want(http.StatusOK)

	tests := []struct {
		query string
		want  []string
	}{
		{"?topic=billing", []string{billing}},
		{"?group=sales", []string{other.ConversationID}},
		{"?locale=DE-ch", []string{billing}},
		{"?live=true", []string{}},
	}
	for _, tt := range tests {
		if got := ids(e.list(e.anna.Token, tt.query)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s got = %v, want %v", tt.query, got, tt.want)
		}
	}
	e.do(http.MethodGet, "/api/v1/conversations?live=maybe", e.anna.Token, nil).wantError(http.StatusBadRequest, "invalid")
}

func TestExport_with_ids_writes_only_the_ticked_rows(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	a := e.receive("a", "first")
	e.receive("b", "second")
	c := e.receive("c", "third")
	res := e.do(http.MethodGet, "/api/v1/conversations/export.csv?ids="+a.ConversationID+","+c.ConversationID, e.anna.Token, nil).want(http.StatusOK)
	rows, err := csv.NewReader(bytes.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
	}
	slices.Sort(got)
	want := []string{a.ConversationID, c.ConversationID}
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exported ids got = %v, want %v", got, want)
	}
}

func TestContacts_filter_by_verified_and_last_message_time(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	e.receive("old", "hi")
	var list struct{ Contacts []contact }
	e.do(http.MethodGet, "/api/v1/contacts?verified=false", e.anna.Token, nil).want(http.StatusOK).decode(&list)
	if len(list.Contacts) != 1 {
		t.Errorf("unverified got = %+v, want the one contact", list.Contacts)
	}
	e.do(http.MethodGet, "/api/v1/contacts?verified=true", e.anna.Token, nil).want(http.StatusOK).decode(&list)
	if len(list.Contacts) != 0 {
		t.Errorf("verified got = %+v, want none", list.Contacts)
	}
	e.do(http.MethodGet, "/api/v1/contacts?from=2999-01-01T00:00:00Z", e.anna.Token, nil).want(http.StatusOK).decode(&list)
	if len(list.Contacts) != 0 {
		t.Errorf("last message after 2999 got = %+v, want none", list.Contacts)
	}
	e.do(http.MethodGet, "/api/v1/contacts?verified=perhaps", e.anna.Token, nil).wantError(http.StatusBadRequest, "invalid")
	e.do(http.MethodGet, "/api/v1/contacts?to=yesterday", e.anna.Token, nil).wantError(http.StatusBadRequest, "invalid")
}

func TestContacts_import_from_CSV_creates_merges_and_skips_with_reasons(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	e.receive("ada", "hi") // contact ada@example.org exists
	body := "\xef\xbb\xbfName,E-mail,Phone,Company\n" +
		"Grace Hopper,grace@example.com,+1 555 0100,Navy\n" +
		",ADA@example.org,,Analytical Engines\n" +
		"Nobody,not-an-address,,\n" +
		",,,\n"
	post := func(token, ctype, body string) *response {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/contacts/import", bytes.NewBufferString(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+token)
		return e.send(req)
	}
	post(e.anna.Token, "text/csv", body).wantError(http.StatusForbidden, "forbidden")
	post(e.admin.Token, "application/json", body).wantError(http.StatusBadRequest, "invalid")
	post(e.admin.Token, "text/csv", "colour,size\nred,L\n").wantError(http.StatusBadRequest, "invalid")
	var res struct {
		Created, Merged int
		Skipped         []struct {
			Line   int
			Reason string
		}
	}
	post(e.admin.Token, "text/csv; charset=utf-8", body).want(http.StatusOK).decode(&res)
	if res.Created != 1 || res.Merged != 1 || len(res.Skipped) != 1 || res.Skipped[0].Line != 4 {
		t.Errorf("import got = %+v, want 1 created, 1 merged, line 4 skipped", res)
	}
	var list struct {
		Contacts []struct{ Name, Phone string }
	}
	e.do(http.MethodGet, "/api/v1/contacts?q=grace", e.anna.Token, nil).want(http.StatusOK).decode(&list)
	if len(list.Contacts) != 1 || list.Contacts[0].Phone != "+1 555 0100" {
		t.Errorf("imported contact got = %+v", list.Contacts)
	}
}

func TestChannels_report_failing_health_while_deliveries_are_poisoned(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	type health struct {
		Status   string
		Poisoned int
	}
	var chs struct{ Channels []struct{ Health health } }
	e.do(http.MethodGet, "/api/v1/channels", e.anna.Token, nil).want(http.StatusOK).decode(&chs)
	if chs.Channels[0].Health != (health{Status: "ok"}) {
		t.Errorf("health got = %+v, want ok", chs.Channels[0].Health)
	}
	if err := e.hub.Poison(context.Background(), core.Poisoned{Topic: core.OutboundTopic("crm"), Handler: "deliver_crm", Reason: "gave up"}); err != nil {
		t.Fatal(err)
	}
	e.do(http.MethodGet, "/api/v1/channels", e.anna.Token, nil).want(http.StatusOK).decode(&chs)
	if chs.Channels[0].Health != (health{Status: "failing", Poisoned: 1}) {
		t.Errorf("health got = %+v, want failing with one poisoned delivery", chs.Channels[0].Health)
	}
}
