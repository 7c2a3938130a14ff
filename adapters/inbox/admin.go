package inbox

import (
	"fmt"
	"net/http"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/command"
)

func requireAdmin(me core.Operator, what string) error {
	if me.Role != core.RoleAdmin {
		return core.Forbiddenf("only an admin can %s", what)
	}
	return nil
}

// listOperators lists the team with presence and chat slots used, for the
// assign picker and the "who is busy" panel.
func (s *Server) listOperators(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	sts, err := s.hub.OperatorStatuses(r.Context())
	if err != nil {
		return err
	}
	out := make([]operatorView, 0, len(sts))
	for _, st := range sts {
		out = append(out, viewOperator(st))
	}
	writeJSON(w, http.StatusOK, map[string]any{"operators": out})
	return nil
}

type newOperator struct {
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Password string    `json:"password"`
	Role     core.Role `json:"role"`
	Groups   []string  `json:"groups"`
	Slots    int       `json:"slots"`
}

func (s *Server) createOperator(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	if err := requireAdmin(me, "add operators"); err != nil {
		return err
	}
	var req newOperator
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	op, err := s.hub.CreateOperator(r.Context(), core.NewOperator{
		Email: req.Email, Name: req.Name, Password: req.Password, Role: req.Role, Groups: req.Groups, Slots: req.Slots,
	})
	if err != nil {
		return err
	}
	s.log.Info("operator created", "operator", op.ID, "role", op.Role, "by", me.ID)
	st, err := s.status(r.Context(), op)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOperator(st))
	return nil
}

func (s *Server) listMacros(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	ms, err := s.hub.Store().Macros(r.Context())
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []core.Macro{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"macros": ms})
	return nil
}

type macroRequest struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

func (s *Server) createMacro(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req macroRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.hub.SaveMacro(r.Context(), me, core.Macro{Name: req.Name, Text: req.Text})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) updateMacro(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req macroRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.hub.SaveMacro(r.Context(), me, core.Macro{ID: r.PathValue("id"), Name: req.Name, Text: req.Text})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) deleteMacro(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	if err := s.hub.DeleteMacro(r.Context(), me, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listCommands feeds the composer's command picker.
func (s *Server) listCommands(w http.ResponseWriter, _ *http.Request, _ core.Operator) error {
	writeJSON(w, http.StatusOK, map[string]any{"commands": command.Specs()})
	return nil
}

// listNotifications lists the caller's own notifications, newest first.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	limit, err := queryLimit(r, defaultListLimit, maxListLimit)
	if err != nil {
		return err
	}
	ns, err := s.hub.Store().Notifications(r.Context(), me.ID, limit)
	if err != nil {
		return err
	}
	if ns == nil {
		ns = []core.Notification{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": ns})
	return nil
}

// listPoisoned shows bus messages that exhausted their retries.
func (s *Server) listPoisoned(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	ps, err := s.hub.Store().Poisoned(r.Context())
	if err != nil {
		return err
	}
	out := make([]poisonedView, 0, len(ps))
	for _, p := range ps {
		out = append(out, viewPoisoned(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"poisoned": out})
	return nil
}

func (s *Server) redrive(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	id := r.PathValue("id")
	err := s.hub.Redrive(r.Context(), me, id)
	if isNotFound(err) {
		return core.NotFoundf("no poisoned message %q", id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listEventDeliveries is the log of event webhook attempts. It names the
// integrations' endpoints, so only admins read it.
func (s *Server) listEventDeliveries(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	if err := requireAdmin(me, "read the event delivery log"); err != nil {
		return err
	}
	limit, err := queryLimit(r, 100, 1000)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ds, err := s.hub.Store().EventDeliveries(r.Context(), core.EventDeliveryQuery{
		EventID: q.Get("event_id"), URL: q.Get("url"), Limit: limit,
	})
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []core.EventDelivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
	return nil
}

// listChannels tells the UI what each channel can carry, so the composer
// can say so before the operator tries, and how its deliveries fare.
func (s *Server) listChannels(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	ps, err := s.hub.Store().Poisoned(r.Context())
	if err != nil {
		return err
	}
	stuck := map[string]int{}
	for _, p := range ps {
		stuck[p.Topic]++
	}
	chs := s.hub.Channels()
	out := make([]channelView, 0, len(chs))
	for _, c := range chs {
		v := viewChannel(c)
		v.Health = channelHealth{Status: "ok"}
		if n := stuck[core.OutboundTopic(c.Name)]; n > 0 {
			v.Health = channelHealth{Status: "failing", Poisoned: n,
				Detail: fmt.Sprintf("%d %s gave up after retrying; re-drive them under Failed deliveries", n, plural(n, "delivery", "deliveries"))}
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
