package inbox_test

import (
	"net/http"
	"testing"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
)

type contact struct {
	ID            string
	Name          string
	Email         string
	Phone         string
	Locale        string
	Blocked       bool
	Conversations []conversation
}

func TestContacts_are_listed_edited_and_shown_with_their_conversations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	rcpt := e.receive("carla", "hi")

	var list struct{ Contacts []contact }
	e.do(http.MethodGet, "/api/v1/contacts?q=carla", e.anna.Token, nil).want(http.StatusOK).decode(&list)
	if len(list.Contacts) != 1 || list.Contacts[0].ID != rcpt.ContactID {
		t.Fatalf("search got = %+v, want carla", list.Contacts)
	}

	var c contact
	e.do(http.MethodPatch, "/api/v1/contacts/"+rcpt.ContactID, e.anna.Token,
		map[string]any{"name": "Carla Rossi", "phone": "+39 06 1234", "locale": "it"}).want(http.StatusOK).decode(&c)
	if c.Name != "Carla Rossi" || c.Phone != "+39 06 1234" || c.Locale != "it" || c.Email != "carla@example.org" {
		t.Errorf("patched contact got = %+v, want new name, phone and locale, email kept", c)
	}
	e.do(http.MethodPatch, "/api/v1/contacts/"+rcpt.ContactID, e.anna.Token, map[string]any{"email": "not an address"}).
		wantError(http.StatusBadRequest, "invalid")

	e.do(http.MethodGet, "/api/v1/contacts/"+rcpt.ContactID, e.anna.Token, nil).want(http.StatusOK).decode(&c)
	if len(c.Conversations) != 1 || c.Conversations[0].ID != rcpt.ConversationID {
		t.Errorf("contact's conversations got = %+v, want [%s]", c.Conversations, rcpt.ConversationID)
	}
}

func TestBlocking_a_contact_files_their_conversations_under_filtered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	rcpt := e.receive("spammer", "BUY NOW")
	var c contact
	e.do(http.MethodPost, "/api/v1/contacts/"+rcpt.ContactID+"/block", e.anna.Token, nil).want(http.StatusOK).decode(&c)
	if !c.Blocked {
		t.Fatalf("after block got = %+v, want blocked", c)
	}
	if got := ids(e.list(e.anna.Token, "?view=filtered")); len(got) != 1 || got[0] != rcpt.ConversationID {
		t.Errorf("filtered got = %v, want [%s]", got, rcpt.ConversationID)
	}
	e.do(http.MethodPost, "/api/v1/contacts/"+rcpt.ContactID+"/unblock", e.anna.Token, nil).want(http.StatusOK)
	if got := e.list(e.anna.Token, "?view=filtered"); len(got) != 0 {
		t.Errorf("filtered after unblock got = %v, want none", ids(got))
	}
}

func TestContact_erase_by_an_admin_removes_the_contact_and_their_conversations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	rcpt := e.receive("carla", "please forget me")

	msg := e.do(http.MethodDelete, "/api/v1/contacts/"+rcpt.ContactID, e.anna.Token, nil).wantError(http.StatusForbidden, "forbidden")
	if msg != "only an admin can erase a contact" {
		t.Errorf("operator's erase message got = %q", msg)
	}
	e.do(http.MethodGet, "/api/v1/contacts/"+rcpt.ContactID, e.anna.Token, nil).want(http.StatusOK)

	e.do(http.MethodDelete, "/api/v1/contacts/"+rcpt.ContactID, e.admin.Token, nil).want(http.StatusNoContent)
	e.do(http.MethodGet, "/api/v1/contacts/"+rcpt.ContactID, e.admin.Token, nil).wantError(http.StatusNotFound, "not_found")
	e.do(http.MethodGet, "/api/v1/conversations/"+rcpt.ConversationID, e.admin.Token, nil).wantError(http.StatusNotFound, "not_found")
	e.do(http.MethodDelete, "/api/v1/contacts/"+rcpt.ContactID, e.admin.Token, nil).wantError(http.StatusNotFound, "not_found")
}
