package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// update is one Bot API Update: the library's type, with the messages
// widened by the fields of later Bot API versions the adapter reads. The
// outer Message and EditedMessage shadow the library's (encoding/json
// prefers the shallower field), so read these, never u.Update.Message.
type update struct {
	tgbotapi.Update
	Message       *message `json:"message,omitempty"`
	EditedMessage *message `json:"edited_message,omitempty"`
	// kinds are the top-level keys of an update no field above describes,
	// for the log line that skips it.
	kinds []string
}

// message is a Message with a Bot API 5.7 sticker.
type message struct {
	tgbotapi.Message
	Sticker *sticker `json:"sticker,omitempty"`
}

// sticker adds is_video (Bot API 5.7) to the library's Sticker.
type sticker struct {
	tgbotapi.Sticker
	IsVideo bool `json:"is_video,omitempty"`
}

// errMalformed marks input that is not a usable update: the webhook answers
// 400 and polling skips it.
var errMalformed = errors.New("malformed update")

// parseUpdate decodes one update from its JSON. It fails, wrapping
// errMalformed, on anything that is not a JSON object with a positive
// update_id and well-typed known fields; unknown fields and update kinds
// are not errors.
func parseUpdate(body []byte) (update, error) {
	var u update
	if err := json.Unmarshal(body, &u); err != nil {
		return update{}, fmt.Errorf("%w: %w", errMalformed, jsonError(err))
	}
	if u.UpdateID <= 0 {
		return update{}, fmt.Errorf("%w: no positive update_id", errMalformed)
	}
	if u.Message == nil && u.EditedMessage == nil && u.ChannelPost == nil && u.EditedChannelPost == nil &&
		u.CallbackQuery == nil && u.libraryKind() == "" {
		var keys map[string]json.RawMessage
		_ = json.Unmarshal(body, &keys) // decoded above as an object
		for k := range keys {
			if k != "update_id" {
				u.kinds = append(u.kinds, k)
			}
		}
		slices.Sort(u.kinds)
	}
	return u, nil
}

// libraryKind names the update kinds the library knows and the adapter
// does not handle, or "".
func (u update) libraryKind() string {
	switch {
	case u.InlineQuery != nil:
		return "inline_query"
	case u.ChosenInlineResult != nil:
		return "chosen_inline_result"
	case u.ShippingQuery != nil:
		return "shipping_query"
	case u.PreCheckoutQuery != nil:
		return "pre_checkout_query"
	case u.Poll != nil:
		return "poll"
	case u.PollAnswer != nil:
		return "poll_answer"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.ChatMember != nil:
		return "chat_member"
	case u.ChatJoinRequest != nil:
		return "chat_join_request"
	}
	return ""
}

// jsonError keeps a decoding error short: a type mismatch names the field.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("the update is a JSON %s, not an object", te.Value)
		}
		return fmt.Errorf("%s: unexpected JSON %s", te.Field, te.Value)
	}
	return err
}
