package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/switchboard-hq/switchboard/core"
)

// Delete removes an operator reply from the contact's chat with
// deleteMessage, every part of it when it went as several messages. The
// hub calls it only within the 48 hours Telegram allows (DeleteWindow). A
// part Telegram no longer has counts as deleted; other refusals are
// permanent, with Telegram's description.
func (a *Adapter) Delete(ctx context.Context, m core.Message, to core.ContactRef) error {
	chat, ids, err := parseProviderID(m.ProviderMessageID)
	if err != nil {
		return core.Permanent(fmt.Errorf("telegram deleteMessage: message %s: %w", m.ID, err))
	}
	for _, id := range ids {
		err := a.api.call(ctx, "deleteMessage", func(bot *tgbotapi.BotAPI) error {
			// Request, not Send: the result is true, not a Message.
			_, err := bot.Request(tgbotapi.NewDeleteMessage(chat, id))
			return err
		})
		switch {
		case err == nil:
		case alreadyGone(err):
			a.log.InfoContext(ctx, "telegram message was already deleted", "message", m.ID, "telegram_id", id)
		case refused(err):
			return core.Permanent(err)
		default:
			return err
		}
	}
	return nil
}

// alreadyGone reports Telegram's answer for a message it does not have.
func alreadyGone(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == 400 && strings.Contains(ae.Description, "message to delete not found")
}
