package inbox

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// maxBulk bounds the conversations of one bulk request.
const maxBulk = 500

type bulkRequest struct {
	IDs      []string       `json:"ids"`
	Action   string         `json:"action"`
	Status   string         `json:"status"`
	Topic    string         `json:"topic"`
	Operator optionalString `json:"operator"`
	Group    string         `json:"group"`
}

type bulkResult struct {
	ID    string       `json:"id"`
	OK    bool         `json:"ok"`
	Error *errorDetail `json:"error,omitempty"`
}

// bulk applies one action to many conversations. Each is a separate hub
// call with its own rights check, so one refusal does not stop the others;
// the answer lists every outcome.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req bulkRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if len(req.IDs) == 0 {
		return core.Invalidf("ids must list at least one conversation")
	}
	if len(req.IDs) > maxBulk {
		return core.Invalidf("at most %d conversations per bulk request, not %d", maxBulk, len(req.IDs))
	}
	apply, err := bulkAction(s.hub, req, me)
	if err != nil {
		return err
	}
	results := make([]bulkResult, 0, len(req.IDs))
	for _, id := range req.IDs {
		res := bulkResult{ID: id, OK: true}
		if err := apply(r, id); err != nil {
			status, detail, known := classify(err)
			if !known || status >= 500 {
				s.log.Error("bulk action", "action", req.Action, "conversation", id, "err", err)
			}
			res.OK, res.Error = false, &detail
		}
		results = append(results, res)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
	return nil
}

// bulkAction validates req once and returns the call to make per id.
func bulkAction(hub *core.Hub, req bulkRequest, me core.Operator) (func(*http.Request, string) error, error) {
	switch req.Action {
	case "status":
		st, err := core.ParseStatus(req.Status)
		if err != nil {
			return nil, err
		}
		return func(r *http.Request, id string) error {
			_, err := hub.SetStatus(r.Context(), me, id, st)
			return err
		}, nil
	case "topic":
		return func(r *http.Request, id string) error {
			_, err := hub.SetTopic(r.Context(), me, id, req.Topic)
			return err
		}, nil
	case "assign":
		a, err := assignment(req.Operator, req.Group, me)
		if err != nil {
			return nil, err
		}
		return func(r *http.Request, id string) error {
			_, err := hub.Assign(r.Context(), me, id, a)
			return err
		}, nil
	case "trash":
		return func(r *http.Request, id string) error {
			_, err := hub.Trash(r.Context(), me, id)
			return err
		}, nil
	case "restore":
		return func(r *http.Request, id string) error {
			_, err := hub.Restore(r.Context(), me, id)
			return err
		}, nil
	}
	return nil, core.Invalidf("unknown bulk action %q (want status, topic, assign, trash or restore)", req.Action)
}

// maxExport bounds the rows of one CSV export.
const maxExport = 1000

// exportConversations writes the filtered conversation list as CSV. The
// optional ids parameter (comma-separated) keeps only those conversations
// of the list: the rows an operator ticked.
func (s *Server) exportConversations(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	q, err := conversationQuery(r, me)
	if err != nil {
		return err
	}
	if q.Limit, err = queryLimit(r, maxExport, maxExport); err != nil {
		return err
	}
	items, err := s.hub.Store().Conversations(r.Context(), q)
	if err != nil {
		return err
	}
	if ids := r.URL.Query().Get("ids"); ids != "" {
		keep := map[string]bool{}
		for _, id := range strings.Split(ids, ",") {
			keep[strings.TrimSpace(id)] = true
		}
		items = slices.DeleteFunc(items, func(it core.ConversationItem) bool { return !keep[it.ID] })
	}
	name := fmt.Sprintf("conversations-%s.csv", s.cfg.Clock().UTC().Format("20060102-150405"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "status", "labels", "channel", "topic", "contact_id", "contact_name",
		"contact_email", "contact_phone", "assignee", "group", "filter_reason", "created_at", "last_message_at", "last_message"})
	for _, it := range items {
		c := it.Conversation
		last := ""
		if !c.LastMessageAt.IsZero() {
			last = c.LastMessageAt.UTC().Format(time.RFC3339)
		}
		row := []string{c.ID, string(c.Status), strings.Join(c.Labels(), " "), c.Channel, c.Topic, c.ContactID,
			it.Contact.Name, it.Contact.Email, it.Contact.Phone, c.AssigneeID, c.Group, c.FilterReason,
			c.CreatedAt.UTC().Format(time.RFC3339), last, it.LastMessage}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return nil // the client went away; the status is already sent
		}
	}
	cw.Flush()
	return nil
}

// csvSafe defuses spreadsheet formula injection: a cell a contact controls
// must not start with a character that makes Excel or Sheets evaluate it.
// Phone numbers ("+49 30 1234") stay as they are: digits cannot form a
// formula.
func csvSafe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if (s[0] == '+' || s[0] == '-') && strings.Trim(s[1:], "0123456789 ()-.") == "" && len(s) > 1 {
		return s
	}
	return "'" + s
}
