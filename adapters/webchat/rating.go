package webchat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// State keys of ratings.
func ratingAskedKey(visitor string) string { return "rating-asked/" + visitor }
func ratingKey(conversation string) string { return "rating/" + conversation }

// Rating is a visitor's score of a conversation, kept in the channel state
// under "rating/<conversation id>".
type Rating struct {
	Conversation string `json:"conversation"`
	Score        int    `json:"score"`
	Comment      string `json:"comment,omitempty"`
	At           int64  `json:"at"` // unix seconds
}

// RequestRating shows the visitor a rating prompt. It refuses when rating is
// switched off for the widget or the visitor is not online: a prompt
// nobody sees would wait forever. The prompt stays until answered, across
// reloads.
func (a *Adapter) RequestRating(ctx context.Context, r core.RatingRequest) error {
	if !on(a.cfg.Features.Rating) {
		return &core.CapabilityError{Channel: a.name, Capability: "rating", Reason: "Rating is switched off for this web chat widget"}
	}
	if !a.reg.online(r.To.ID) {
		return a.offlineError("ask for a rating")
	}
	if err := a.state.Put(ctx, ratingAskedKey(r.To.ID), []byte(r.Conversation.ID)); err != nil {
		return fmt.Errorf("webchat rating: %w", err)
	}
	a.reg.push(r.To.ID, outFrame{data: []byte(`{"type":"rating"}`)}, nil)
	return nil
}

// ratingPending returns the conversation a visitor was asked to rate, or "".
func (a *Adapter) ratingPending(ctx context.Context, visitor string) string {
	b, err := a.state.Get(ctx, ratingAskedKey(visitor))
	if err != nil {
		return ""
	}
	return string(b)
}

// rate stores the visitor's answer to a rating prompt: in the channel state,
// and in the transcript as the visitor's action so operators see it.
func (s *session) rate(ctx context.Context, f RateFrame) {
	a := s.a
	convID := a.ratingPending(ctx, s.visitor)
	if convID == "" || !s.owns(ctx, convID) {
		s.reply(errorFrame("no_rating", "There is no rating to give right now.", ""))
		return
	}
	r := Rating{Conversation: convID, Score: f.Score, Comment: f.Comment, At: a.now().Unix()}
	b, _ := json.Marshal(r)
	if err := a.state.Put(ctx, ratingKey(convID), b); err != nil {
		a.log.Error("rating not stored", "conversation", convID, "err", err)
		s.reply(errorFrame("unavailable", "The rating could not be saved; try again.", ""))
		return
	}
	text := fmt.Sprintf("Rated the conversation %d/5 %s", f.Score, strings.Repeat("★", f.Score)+strings.Repeat("☆", 5-f.Score))
	if f.Comment != "" {
		text += ": " + f.Comment
	}
	_, err := a.recv.Receive(ctx, core.Inbound{
		Channel: a.name, ChannelType: Type, Kind: core.KindPostback, ConversationID: convID,
		ProviderMessageID: fmt.Sprintf("%s/rating/%s/%d", s.visitor, convID, r.At), Contact: s.ref, Text: text, SentAt: a.now(),
	})
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		a.log.Warn("rating not added to the transcript", "conversation", convID, "err", err)
	}
	if err := a.state.Delete(ctx, ratingAskedKey(s.visitor)); err != nil {
		a.log.Warn("rating prompt not cleared", "visitor", s.visitor, "err", err)
	}
	a.reg.push(s.visitor, outFrame{data: []byte(`{"type":"rated"}`)}, nil)
}

// RatingOf returns the visitor's rating of a conversation, if they gave one.
func (a *Adapter) RatingOf(ctx context.Context, conversationID string) (Rating, bool) {
	b, err := a.state.Get(ctx, ratingKey(conversationID))
	var r Rating
	if err != nil || json.Unmarshal(b, &r) != nil {
		return Rating{}, false
	}
	return r, true
}
