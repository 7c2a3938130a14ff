package inbox

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// Conversation list limits.
const (
	defaultListLimit = 50
	maxListLimit     = 500
)

// conversationQuery reads the filters shared by the list, the counts and
// the CSV export: view, status (comma-separated), channel, operator ("me"
// allowed), topic, group, locale, live, q, from and to (RFC 3339).
func conversationQuery(r *http.Request, me core.Operator) (core.ConversationQuery, error) {
	v := r.URL.Query()
	q := core.ConversationQuery{
		Me: me.ID, Channel: v.Get("channel"), Text: strings.TrimSpace(v.Get("q")),
		Topic: strings.TrimSpace(v.Get("topic")), Group: strings.TrimSpace(v.Get("group")), Locale: strings.TrimSpace(v.Get("locale")),
	}
	if live := v.Get("live"); live != "" {
		b, err := strconv.ParseBool(live)
		if err != nil {
			return q, core.Invalidf("live must be true or false, not %q", live)
		}
		q.Live = b
	}
	switch view := core.View(v.Get("view")); view {
	case "":
		q.View = core.ViewAll
	case core.ViewMine, core.ViewUnassigned, core.ViewAll, core.ViewFiltered, core.ViewTrash:
		q.View = view
	default:
		return q, core.Invalidf("unknown view %q (want mine, unassigned, all, filtered or trash)", view)
	}
	if st := v.Get("status"); st != "" {
		for _, part := range strings.Split(st, ",") {
			s, err := core.ParseStatus(part)
			if err != nil {
				return q, err
			}
			q.Statuses = append(q.Statuses, s)
		}
	}
	q.Operator = v.Get("operator")
	if q.Operator == "me" {
		q.Operator = me.ID
	}
	var err error
	if q.From, err = queryTime(v.Get("from"), "from"); err != nil {
		return q, err
	}
	if q.To, err = queryTime(v.Get("to"), "to"); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, core.Invalidf("to (%s) is before from (%s)", v.Get("to"), v.Get("from"))
	}
	return q, nil
}

func queryTime(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, core.Invalidf("%s must be an RFC 3339 time such as 2024-05-01T00:00:00Z, not %q", name, s)
	}
	return t, nil
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	q, err := conversationQuery(r, me)
	if err != nil {
		return err
	}
	if q.Limit, err = queryLimit(r, defaultListLimit, maxListLimit); err != nil {
		return err
	}
	items, err := s.hub.Store().Conversations(r.Context(), q)
	if err != nil {
		return err
	}
	out := make([]conversationView, 0, len(items))
	for _, it := range items {
		out = append(out, viewConversationItem(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversations": out})
	return nil
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	ctx := r.Context()
	conv, err := s.conversation(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	contact, err := s.hub.Store().Contact(ctx, conv.ContactID)
	if err != nil {
		return err
	}
	msgs, err := s.hub.Store().Messages(ctx, conv.ID)
	if err != nil {
		return err
	}
	d := conversationDetail{conversationView: viewConversation(conv), ContactDetail: viewContact(contact)}
	for _, m := range msgs {
		switch {
		case m.Note:
			d.Counts.Notes++
		case m.Kind == core.KindMessage || m.Kind == core.KindPostback:
			d.Counts.Messages++
		}
		if m.Status == core.DeliveryFailed {
			d.Counts.Failed++
		}
		d.Counts.Attachments += len(m.Attachments)
		if !m.Note && m.DeletedAt == nil {
			d.LastMessage = m.Text
		}
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// conversation loads one conversation with an error fit for the client.
func (s *Server) conversation(ctx context.Context, id string) (core.Conversation, error) {
	conv, err := s.hub.Store().Conversation(ctx, id)
	if isNotFound(err) {
		return conv, core.NotFoundf("no conversation %q", id)
	}
	return conv, err
}

// conversationWithContact renders conv as in lists, contact included.
func (s *Server) conversationWithContact(ctx context.Context, conv core.Conversation) (conversationView, error) {
	v := viewConversation(conv)
	c, err := s.hub.Store().Contact(ctx, conv.ContactID)
	if err != nil {
		return v, err
	}
	v.Contact = refOf(c)
	return v, nil
}

// answerConversation writes the result of a conversation change.
func (s *Server) answerConversation(w http.ResponseWriter, r *http.Request, conv core.Conversation, err error) error {
	if err != nil {
		return err
	}
	v, err := s.conversationWithContact(r.Context(), conv)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

type assignRequest struct {
	Operator optionalString `json:"operator"`
	Group    string         `json:"group"`
}

// assignment turns the API's operator ("me", an id, or null to unassign)
// and group into a core.Assignment.
func assignment(op optionalString, group string, me core.Operator) (core.Assignment, error) {
	if !op.Set && group == "" {
		return core.Assignment{}, core.Invalidf(`give "operator" (an operator id, "me", or null to unassign) or "group"`)
	}
	a := core.Assignment{OperatorID: op.Value, Group: strings.TrimSpace(group)}
	if a.OperatorID == "me" {
		a.OperatorID = me.ID
	}
	return a, nil
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req assignRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	a, err := assignment(req.Operator, req.Group, me)
	if err != nil {
		return err
	}
	conv, err := s.hub.Assign(r.Context(), me, r.PathValue("id"), a)
	return s.answerConversation(w, r, conv, err)
}

func (s *Server) setStatus(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req struct {
		Status string `json:"status"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	st, err := core.ParseStatus(req.Status)
	if err != nil {
		return err
	}
	conv, err := s.hub.SetStatus(r.Context(), me, r.PathValue("id"), st)
	return s.answerConversation(w, r, conv, err)
}

func (s *Server) setTopic(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req struct {
		Topic string `json:"topic"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	conv, err := s.hub.SetTopic(r.Context(), me, r.PathValue("id"), req.Topic)
	return s.answerConversation(w, r, conv, err)
}

// typing tells the contact the operator started or stopped typing, where
// the channel can show it.
func (s *Server) typing(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req struct {
		Typing bool `json:"typing"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.hub.OperatorTyping(r.Context(), me, r.PathValue("id"), req.Typing); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) trash(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	conv, err := s.hub.Trash(r.Context(), me, r.PathValue("id"))
	return s.answerConversation(w, r, conv, err)
}

func (s *Server) restore(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	conv, err := s.hub.Restore(r.Context(), me, r.PathValue("id"))
	return s.answerConversation(w, r, conv, err)
}

// deleteConversation deletes a trashed conversation for good (admins only;
// the hub enforces it).
func (s *Server) deleteConversation(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	if err := s.hub.DeleteForever(r.Context(), me, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
