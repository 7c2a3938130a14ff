package inbox

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// listContacts lists contacts: q searches, verified (true or false) and
// from/to (RFC 3339, on the contact's last message) filter.
func (s *Server) listContacts(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	limit, err := queryLimit(r, defaultListLimit, maxListLimit)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	q := core.ContactQuery{Text: strings.TrimSpace(v.Get("q")), Limit: limit}
	if ver := v.Get("verified"); ver != "" {
		b, err := strconv.ParseBool(ver)
		if err != nil {
			return core.Invalidf("verified must be true or false, not %q", ver)
		}
		q.Verified = &b
	}
	if q.From, err = queryTime(v.Get("from"), "from"); err != nil {
		return err
	}
	if q.To, err = queryTime(v.Get("to"), "to"); err != nil {
		return err
	}
	cs, err := s.hub.Store().Contacts(r.Context(), q)
	if err != nil {
		return err
	}
	out := make([]contactView, 0, len(cs))
	for _, c := range cs {
		out = append(out, viewContact(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": out})
	return nil
}

// getContact returns a contact with identities and conversations.
func (s *Server) getContact(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	ctx := r.Context()
	id := r.PathValue("id")
	c, err := s.hub.Store().Contact(ctx, id)
	if isNotFound(err) {
		return core.NotFoundf("no contact %q", id)
	}
	if err != nil {
		return err
	}
	convs, err := s.hub.Store().ContactConversations(ctx, id)
	if err != nil {
		return err
	}
	d := contactDetail{contactView: viewContact(c), Conversations: make([]conversationView, 0, len(convs))}
	for _, conv := range convs {
		v := viewConversation(conv)
		v.Contact = refOf(c)
		d.Conversations = append(d.Conversations, v)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

type contactPatch struct {
	Name   *string `json:"name"`
	Email  *string `json:"email"`
	Phone  *string `json:"phone"`
	Locale *string `json:"locale"`
}

func (s *Server) patchContact(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req contactPatch
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	for _, f := range []*string{req.Name, req.Email, req.Phone, req.Locale} {
		if f != nil {
			*f = strings.TrimSpace(*f)
		}
	}
	c, err := s.hub.UpdateContact(r.Context(), me, r.PathValue("id"), core.ContactPatch{
		Name: req.Name, Email: req.Email, Phone: req.Phone, Locale: req.Locale,
	})
	return s.answerContact(w, c, err)
}

func (s *Server) blockContact(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	c, err := s.hub.SetBlocked(r.Context(), me, r.PathValue("id"), true)
	return s.answerContact(w, c, err)
}

func (s *Server) unblockContact(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	c, err := s.hub.SetBlocked(r.Context(), me, r.PathValue("id"), false)
	return s.answerContact(w, c, err)
}

func (s *Server) answerContact(w http.ResponseWriter, c core.Contact, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewContact(c))
	return nil
}

// eraseContact removes a contact and everything of theirs (GDPR); the hub
// allows it to admins only.
func (s *Server) eraseContact(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	if err := s.hub.EraseContact(r.Context(), me, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
