package inbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
)

func TestOperators_list_presence_and_only_admins_add_operators(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	e.do(http.MethodPut, "/api/v1/me/presence", e.ben.Token, map[string]string{"status": "online"}).want(http.StatusOK)
	var list struct {
		Operators []struct {
			ID, Presence string
			SlotsUsed    int `json:"slots_used"`
		}
	}
	e.do(http.MethodGet, "/api/v1/operators", e.anna.Token, nil).want(http.StatusOK).decode(&list)
	presence := map[string]string{}
	for _, o := range list.Operators {
		presence[o.ID] = o.Presence
	}
	if len(presence) != 3 || presence[e.ben.ID] != "online" || presence[e.anna.ID] != "away" {
		t.Errorf("operators got = %+v, want three with ben online and anna away", list.Operators)
	}

	newOp := map[string]any{"email": "cleo@example.com", "name": "Cleo", "password": "long enough password", "role": "operator"}
	e.do(http.MethodPost, "/api/v1/operators", e.anna.Token, newOp).wantError(http.StatusForbidden, "forbidden")
	e.do(http.MethodPost, "/api/v1/operators", e.admin.Token, newOp).want(http.StatusCreated)
	e.do(http.MethodPost, "/api/v1/operators", e.admin.Token, newOp).wantError(http.StatusConflict, "conflict")
	e.do(http.MethodPost, "/api/v1/session", "", map[string]string{"email": "cleo@example.com", "password": "long enough password"}).
		want(http.StatusOK)
}

func TestMacros_are_changed_only_by_their_creator_or_an_admin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	var m struct{ ID, Name, Text string }
	e.do(http.MethodPost, "/api/v1/macros", e.anna.Token, map[string]any{"name": "Hello", "text": "Hello there!"}).
		want(http.StatusCreated).decode(&m)
	if m.Name != "hello" {
		t.Errorf("macro name got = %q, want it lower-cased", m.Name)
	}
	e.do(http.MethodPut, "/api/v1/macros/"+m.ID, e.ben.Token, map[string]any{"name": "hello", "text": "Hi"}).
		wantError(http.StatusForbidden, "forbidden")
	e.do(http.MethodPut, "/api/v1/macros/"+m.ID, e.admin.Token, map[string]any{"name": "hello", "text": "Hi"}).want(http.StatusOK)
	var list struct{ Macros []struct{ Text string } }
	e.do(http.MethodGet, "/api/v1/macros", e.ben.Token, nil).want(http.StatusOK).decode(&list)
	if len(list.Macros) != 1 || list.Macros[0].Text != "Hi" {
		t.Errorf("macros got = %+v, want the edited one", list.Macros)
	}
	e.do(http.MethodDelete, "/api/v1/macros/"+m.ID, e.anna.Token, nil).want(http.StatusNoContent)
}

func TestChannels_and_commands_describe_what_the_composer_can_do(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	var chs struct {
		Channels []struct {
			Name, Type   string
			Capabilities struct {
				Attachments       []string
				MaxAttachmentSize int64 `json:"max_attachment_size"`
				Live, Voice       bool
			}
		}
	}
	e.do(http.MethodGet, "/api/v1/channels", e.anna.Token, nil).want(http.StatusOK).decode(&chs)
	if len(chs.Channels) != 1 || chs.Channels[0].Name != "crm" || chs.Channels[0].Capabilities.MaxAttachmentSize != 1<<20 ||
		strings.Join(chs.Channels[0].Capabilities.Attachments, ",") != "image/png,image/jpeg" {
		t.Errorf("channels got = %+v, want crm with its narrowed capabilities", chs.Channels)
	}
	var cmds struct {
		Commands []struct{ Name, Usage string }
	}
	e.do(http.MethodGet, "/api/v1/commands", e.anna.Token, nil).want(http.StatusOK).decode(&cmds)
	found := false
	for _, c := range cmds.Commands {
		found = found || c.Usage == "$status <new|open|waiting|resolved>"
	}
	if !found {
		t.Errorf("commands got = %+v, want $status listed", cmds.Commands)
	}
}

func TestNotifications_and_event_deliveries_answer_by_role(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.receive("carla", "hi").ConversationID
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/assign", e.anna.Token, map[string]any{"operator": e.ben.ID}).
		want(http.StatusOK)
	var ns struct{ Notifications []struct{ Type, Text string } }
	e.do(http.MethodGet, "/api/v1/notifications", e.ben.Token, nil).want(http.StatusOK).decode(&ns)
	if len(ns.Notifications) != 1 || ns.Notifications[0].Type != "assigned" {
		t.Errorf("ben's notifications got = %+v, want one assignment", ns.Notifications)
	}
	e.do(http.MethodGet, "/api/v1/event-deliveries", e.anna.Token, nil).wantError(http.StatusForbidden, "forbidden")
	var ds map[string]json.RawMessage
	e.do(http.MethodGet, "/api/v1/event-deliveries?limit=10", e.admin.Token, nil).want(http.StatusOK).decode(&ds)
	if string(ds["deliveries"]) != "[]" {
		t.Errorf("deliveries got = %s, want []", ds["deliveries"])
	}
}
