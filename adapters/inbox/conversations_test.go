package inbox_test

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
)

func TestConversations_views_list_what_each_operator_should_see(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	first := e.receive("carla", "My invoice is wrong").ConversationID
	second := e.receive("dario", "Where is my parcel?").ConversationID

	unassigned := e.list(e.anna.Token, "?view=unassigned")
	if got := ids(unassigned); !slices.Contains(got, first) || !slices.Contains(got, second) {
		t.Fatalf("unassigned got = %v, want both new conversations", got)
	}
	c := unassigned[slices.IndexFunc(unassigned, func(c conversation) bool { return c.ID == first })]
	if c.Status != "new" || c.Channel != "crm" || c.Assignee != nil || c.Contact.Name != "Contact carla" ||
		c.Contact.Email != "carla@example.org" || c.LastMessage != "My invoice is wrong" || c.Labels == nil {
		t.Errorf("unassigned item got = %+v, want new, crm, unassigned, with contact and last message", c)
	}
	if got := e.list(e.anna.Token, "?view=mine"); len(got) != 0 {
		t.Errorf("mine before assigning got = %v, want none", ids(got))
	}

	e.do(http.MethodPost, "/api/v1/conversations/"+first+"/assign", e.anna.Token, map[string]any{"operator": "me"}).
		want(http.StatusOK)
	if got := ids(e.list(e.anna.Token, "?view=mine")); !slices.Equal(got, []string{first}) {
		t.Errorf("anna's mine got = %v, want [%s]", got, first)
	}
	if got := ids(e.list(e.ben.Token, "?view=mine")); len(got) != 0 {
		t.Errorf("ben's mine got = %v, want none", got)
	}
	if got := ids(e.list(e.anna.Token, "?view=unassigned")); !slices.Equal(got, []string{second}) {
		t.Errorf("unassigned after assigning got = %v, want [%s]", got, second)
	}
	if got := ids(e.list(e.anna.Token, "?view=all&status=open,waiting")); !slices.Equal(got, []string{first}) {
		t.Errorf("all with status=open,waiting got = %v, want [%s]", got, first)
	}
	if got := ids(e.list(e.anna.Token, "?operator=me")); !slices.Equal(got, []string{first}) {
		t.Errorf("operator=me got = %v, want [%s]", got, first)
	}

	e.do(http.MethodPost, "/api/v1/conversations/"+second+"/trash", e.anna.Token, nil).want(http.StatusOK)
	if got := ids(e.list(e.anna.Token, "?view=trash")); !slices.Equal(got, []string{second}) {
		t.Errorf("trash got = %v, want [%s]", got, second)
	}
	if got := ids(e.list(e.anna.Token, "?view=all")); slices.Contains(got, second) {
		t.Errorf("all got = %v, want the trashed conversation left out", got)
	}
	e.do(http.MethodPost, "/api/v1/conversations/"+second+"/restore", e.anna.Token, nil).want(http.StatusOK)
	if got := ids(e.list(e.anna.Token, "?view=all")); !slices.Contains(got, second) {
		t.Errorf("all after restore got = %v, want %s back", got, second)
	}
}

func TestConversations_bad_filters_are_400(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	for query, want := range map[string]string{
		"?view=archive":   `unknown view "archive"`,
		"?status=pending": `unknown status "pending"`,
		"?from=yesterday": "RFC 3339",
		"?limit=-3":       "limit must be a positive whole number",
		"?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z": "is before",
	} {
		msg := e.do(http.MethodGet, "/api/v1/conversations"+query, e.anna.Token, nil).wantError(http.StatusBadRequest, "invalid")
		if !strings.Contains(msg, want) {
			t.Errorf("%s: message got = %q, want it to contain %q", query, msg, want)
		}
	}
}

func TestConversation_detail_has_contact_and_counts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.ben.Token, map[string]any{"text": "VIP", "note": true}).
		want(http.StatusCreated)
	var d struct {
		ID      string
		Status  string
		Contact struct {
			ID         string
			Identities []struct {
				Channel    string `json:"channel"`
				ExternalID string `json:"external_id"`
			}
		}
		Counts struct{ Messages, Notes int }
	}
	e.do(http.MethodGet, "/api/v1/conversations/"+conv, e.ben.Token, nil).want(http.StatusOK).decode(&d)
	if d.ID != conv || d.Status != "open" || d.Counts.Messages != 1 || d.Counts.Notes != 1 ||
		len(d.Contact.Identities) != 1 || d.Contact.Identities[0].ExternalID != "carla" {
		t.Errorf("detail got = %+v, want open, 1 message, 1 note, carla's identity", d)
	}
	e.do(http.MethodGet, "/api/v1/conversations/cnv_missing", e.ben.Token, nil).wantError(http.StatusNotFound, "not_found")
}

func TestAssign_me_takes_an_unassigned_conversation_and_null_gives_it_back(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.receive("carla", "hi").ConversationID
	var c conversation
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/assign", e.ben.Token, map[string]any{"operator": "me"}).
		want(http.StatusOK).decode(&c)
	if c.Assignee == nil || *c.Assignee != e.ben.ID || c.Status != "open" {
		t.Fatalf("after assign me got = %+v, want ben's and open", c)
	}
	msg := e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/assign", e.anna.Token, map[string]any{"operator": "me"}).
		wantError(http.StatusForbidden, "forbidden")
	if !strings.Contains(msg, "only the assigned operator or an admin") {
		t.Errorf("taking someone else's conversation: message got = %q", msg)
	}
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/assign", e.ben.Token, map[string]any{"operator": nil}).
		want(http.StatusOK).decode(&c)
	if c.Assignee != nil || c.Status != "new" {
		t.Errorf("after unassigning got = %+v, want unassigned and new", c)
	}
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/assign", e.ben.Token, map[string]any{}).
		wantError(http.StatusBadRequest, "invalid")
}

func TestStatus_and_topic_change_by_the_assignee(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	var c conversation
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/topic", e.anna.Token, map[string]any{"topic": "billing"}).
		want(http.StatusOK).decode(&c)
	if c.Topic != "billing" {
		t.Errorf("topic got = %q, want billing", c.Topic)
	}
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/status", e.ben.Token, map[string]any{"status": "resolved"}).
		wantError(http.StatusForbidden, "forbidden")
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/status", e.anna.Token, map[string]any{"status": "RESOLVED"}).
		want(http.StatusOK).decode(&c)
	if c.Status != "resolved" {
		t.Errorf("status got = %q, want resolved", c.Status)
	}
}

func TestBulk_status_applies_each_conversation_with_its_own_rights_check(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	mine := e.assigned("carla", e.anna)
	free := e.receive("dario", "hi").ConversationID
	bens := e.assigned("emil", e.ben)

	var out struct {
		Results []struct {
			ID    string
			OK    bool
			Error *struct{ Code, Message string }
		}
	}
	e.do(http.MethodPost, "/api/v1/conversations/bulk", e.anna.Token, map[string]any{
		"ids": []string{mine, free, bens, "cnv_missing"}, "action": "status", "status": "waiting",
	}).want(http.StatusOK).decode(&out)

	want := map[string]string{mine: "", free: "", bens: "forbidden", "cnv_missing": "not_found"}
	if len(out.Results) != len(want) {
		t.Fatalf("results got = %+v, want %d", out.Results, len(want))
	}
	for _, r := range out.Results {
		code := ""
		if r.Error != nil {
			code = r.Error.Code
		}
		if r.OK != (want[r.ID] == "") || code != want[r.ID] {
			t.Errorf("result for %s got = ok %v, error %q; want error %q", r.ID, r.OK, code, want[r.ID])
		}
	}
	for _, c := range e.list(e.admin.Token, "?view=all") {
		wantStatus := map[string]string{mine: "waiting", free: "waiting", bens: "open"}[c.ID]
		if c.Status != wantStatus {
			t.Errorf("%s status got = %q, want %q", c.ID, c.Status, wantStatus)
		}
	}
	e.do(http.MethodPost, "/api/v1/conversations/bulk", e.anna.Token, map[string]any{"ids": []string{mine}, "action": "explode"}).
		wantError(http.StatusBadRequest, "invalid")
}

func TestExport_writes_the_filtered_list_as_CSV_safe_for_spreadsheets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.receive("carla", "=HYPERLINK(\"http://evil.example\")").ConversationID
	res := e.do(http.MethodGet, "/api/v1/conversations/export.csv?view=unassigned", e.anna.Token, nil).want(http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type got = %q, want text/csv", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, res.body)
	}
	if len(rows) != 2 || rows[0][0] != "id" || rows[1][0] != conv {
		t.Fatalf("rows got = %v, want a header and %s", rows, conv)
	}
	if last := rows[1][len(rows[1])-1]; !strings.HasPrefix(last, "'=") {
		t.Errorf("formula cell got = %q, want it defused with a leading apostrophe", last)
	}
}

func TestDelete_forever_is_for_admins_and_needs_the_trash(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.receive("carla", "hi").ConversationID
	e.do(http.MethodDelete, "/api/v1/conversations/"+conv, e.admin.Token, nil).wantError(http.StatusConflict, "conflict")
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/trash", e.anna.Token, nil).want(http.StatusOK)
	e.do(http.MethodDelete, "/api/v1/conversations/"+conv, e.anna.Token, nil).wantError(http.StatusForbidden, "forbidden")
	e.do(http.MethodDelete, "/api/v1/conversations/"+conv, e.admin.Token, nil).want(http.StatusNoContent)
	e.do(http.MethodGet, "/api/v1/conversations/"+conv, e.admin.Token, nil).wantError(http.StatusNotFound, "not_found")
}
