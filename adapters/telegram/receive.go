package telegram

import (
	"context"
	"errors"
	"fmt"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/switchboard-hq/switchboard/core"
)

// answerTimeout bounds answerCallbackQuery, which only stops the spinner
// on the user's button.
const answerTimeout = 5 * time.Second

// ingest stores what u means: it converts the update, fetches its media
// into the blob store, and hands the event to the Receiver, returning once
// it is durably stored. Updates that need nothing stored (other chats,
// unsupported kinds, service messages, edits of messages the hub never
// had) are logged and return nil. An error wrapping errMalformed means the
// update can never be stored; any other error is temporary.
func (a *Adapter) ingest(ctx context.Context, u update) error {
	ev, err := convert(u)
	if err != nil {
		return err
	}
	if ev.Skip != "" {
		a.log.InfoContext(ctx, "telegram update skipped", "update_id", ev.UpdateID, "reason", ev.Skip, "detail", ev.SkipDetail)
		return nil
	}
	in := core.Inbound{
		Channel: a.name, ChannelType: Type, Kind: ev.Kind,
		ProviderMessageID: ev.ProviderMessageID, Target: ev.Target,
		Contact: core.ContactRef{ID: ev.Contact.ID, Name: ev.Contact.Name, Phone: ev.Contact.Phone},
		Text:    ev.Text, SentAt: ev.SentAt, ThreadKey: ev.ReplyTo,
	}
	if ev.Kind == core.KindMessage {
		if in.Attachments, in.Text, err = a.attachments(ctx, ev); err != nil {
			return err
		}
	}
	rc, err := a.recv.Receive(ctx, in)
	switch code := core.ErrorCode(err); {
	case err == nil:
	case ev.Kind == core.KindEdit && (code == core.CodeNotFound || errors.Is(err, core.ErrNotFound)):
		a.log.InfoContext(ctx, "telegram edit skipped: the hub never stored the message", "update_id", ev.UpdateID, "target", ev.Target)
		return nil
	case code == core.CodeInvalid || code == core.CodeTooLarge:
		return fmt.Errorf("%w: %w", errMalformed, err)
	default:
		return err
	}
	if rc.Duplicate {
		a.log.DebugContext(ctx, "telegram update was stored before", "update_id", ev.UpdateID, "message", ev.ProviderMessageID)
		return nil
	}
	if ev.CallbackQueryID != "" {
		a.answerCallback(ctx, ev.CallbackQueryID)
	}
	return nil
}

// answerCallback tells Telegram the button press was received. A failure
// only leaves the button's spinner running: it is logged.
func (a *Adapter) answerCallback(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), answerTimeout)
	defer cancel()
	err := a.api.call(ctx, "answerCallbackQuery", func(bot *tgbotapi.BotAPI) error {
		_, err := bot.Request(tgbotapi.NewCallback(id, ""))
		return err
	})
	if err != nil {
		a.log.WarnContext(ctx, "telegram answerCallbackQuery failed", "callback_query_id", id, "err", err)
	}
}
