package inbox

import (
	"context"
	"net/http"

	"github.com/switchboard-hq/switchboard/core"
)

// countLimit is where counting stops when the store cannot count without
// loading rows; the UI then shows "1000+".
const countLimit = 1000

// conversationCounter is implemented by stores that count a query without
// loading its rows (the SQLite store does).
type conversationCounter interface {
	CountConversations(ctx context.Context, q core.ConversationQuery) (int, error)
}

type countsView struct {
	Unassigned int `json:"unassigned"`
	Mine       int `json:"mine"`
	Live       int `json:"live"`
	Waiting    int `json:"waiting"`
	// Limit, when the store cannot count exactly, is the most any count
	// reports: a count equal to it may be more. It is 0 for exact counts.
	Limit int `json:"limit"`
}

// counts answers the home page and the navigation badges: unassigned
// conversations, the caller's own (unresolved), live ones, and those
// waiting for the contact.
func (s *Server) counts(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	ctx := r.Context()
	out := countsView{}
	if _, exact := s.hub.Store().(conversationCounter); !exact {
		out.Limit = countLimit
	}
	for _, c := range []struct {
		n *int
		q core.ConversationQuery
	}{
		{&out.Unassigned, core.ConversationQuery{View: core.ViewUnassigned}},
		{&out.Mine, core.ConversationQuery{View: core.ViewMine, Me: me.ID}},
		{&out.Live, core.ConversationQuery{View: core.ViewAll, Live: true}},
		{&out.Waiting, core.ConversationQuery{View: core.ViewAll, Statuses: []core.Status{core.StatusWaiting}}},
	} {
		n, err := s.count(ctx, c.q)
		if err != nil {
			return err
		}
		*c.n = n
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// count counts q's conversations: exactly where the store can, else at
// most countLimit.
func (s *Server) count(ctx context.Context, q core.ConversationQuery) (int, error) {
	if c, ok := s.hub.Store().(conversationCounter); ok {
		return c.CountConversations(ctx, q)
	}
	q.Limit = countLimit
	items, err := s.hub.Store().Conversations(ctx, q)
	return len(items), err
}
