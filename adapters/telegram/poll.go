package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/switchboard-hq/switchboard/core"
)

// offsetKey is the channel state key of the next update id to ask for.
const offsetKey = "getupdates_offset"

// poll long-polls getUpdates until ctx is cancelled. Updates are stored one
// by one, in order; after each the next offset is written to the channel's
// state, so a restart continues after the last stored update. An update
// that cannot be stored for now (the store is down, a file server fails) is
// tried again, with backoff, before any later one; a malformed one is
// logged and passed over.
func (a *Adapter) poll(ctx context.Context) error {
	offset, err := a.loadOffset(ctx)
	if err != nil {
		return err
	}
	if err := a.dropWebhook(ctx); err != nil {
		return err
	}
	a.log.Info("telegram polling for updates", "offset", offset)
	b := newBackoff()
	for {
		raws, err := a.getUpdates(ctx, offset)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			a.log.Warn("telegram getUpdates failed; retrying", "err", err, "in", b.next())
			if err := b.wait(ctx); err != nil {
				return err
			}
			continue
		}
		offset, err = a.ingestAll(ctx, raws, offset)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			a.log.Error("telegram update not stored; retrying", "offset", offset, "err", err, "in", b.next())
			if err := b.wait(ctx); err != nil {
				return err
			}
			continue
		}
		b.reset()
	}
}

// ingestAll stores the updates of one getUpdates answer in order and
// returns the offset after the last one handled, which is saved after each
// update. It stops at the first update that fails for now, returning its
// error.
func (a *Adapter) ingestAll(ctx context.Context, raws []json.RawMessage, offset int) (int, error) {
	for _, raw := range raws {
		u, err := parseUpdate(raw)
		switch {
		case err != nil:
			id, ok := rawUpdateID(raw)
			if !ok {
				a.log.Error("telegram update without update_id skipped", "err", err)
				continue
			}
			u.UpdateID = id
			if id >= offset {
				a.log.Error("telegram update malformed; skipped", "update_id", id, "err", err)
			}
		case u.UpdateID < offset:
			// handled before a restart, or repeated by Telegram
		default:
			if err := a.ingest(ctx, u); errors.Is(err, errMalformed) {
				a.log.Error("telegram update refused; skipped", "update_id", u.UpdateID, "err", err)
			} else if err != nil {
				return offset, err
			}
		}
		if u.UpdateID < offset {
			continue
		}
		if err := a.saveOffset(ctx, u.UpdateID+1); err != nil {
			return offset, err
		}
		offset = u.UpdateID + 1
	}
	return offset, nil
}

// getUpdates asks for the updates from offset on, waiting up to the poll
// timeout for one to arrive. The raw JSON of each is returned, so that
// polling and the webhook parse updates alike.
func (a *Adapter) getUpdates(ctx context.Context, offset int) ([]json.RawMessage, error) {
	params := tgbotapi.Params{"timeout": strconv.Itoa(int(a.cfg.PollTimeout.Seconds()))}
	if offset > 0 {
		params["offset"] = strconv.Itoa(offset)
	}
	var raws []json.RawMessage
	err := a.api.once(ctx, a.cfg.PollTimeout+a.api.timeout, "getUpdates", func(bot *tgbotapi.BotAPI) error {
		resp, err := bot.MakeRequest("getUpdates", params)
		if err != nil {
			return err
		}
		return json.Unmarshal(resp.Result, &raws)
	})
	return raws, err
}

// dropWebhook removes a webhook left from webhook mode: while one is set,
// getUpdates answers 409 Conflict. Pending updates are kept.
func (a *Adapter) dropWebhook(ctx context.Context) error {
	b := newBackoff()
	for {
		err := a.api.call(ctx, "deleteWebhook", func(bot *tgbotapi.BotAPI) error {
			_, err := bot.Request(tgbotapi.DeleteWebhookConfig{DropPendingUpdates: false})
			return err
		})
		if err == nil {
			return nil
		}
		if refused(err) {
			return fmt.Errorf("telegram channel %s: %w", a.name, err)
		}
		a.log.Warn("telegram deleteWebhook failed; retrying", "err", err, "in", b.next())
		if err := b.wait(ctx); err != nil {
			return err
		}
	}
}

func (a *Adapter) loadOffset(ctx context.Context) (int, error) {
	v, err := a.state.Get(ctx, offsetKey)
	if errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("telegram channel %s: read offset: %w", a.name, err)
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("telegram channel %s: stored offset %q is not a number", a.name, v)
	}
	return n, nil
}

func (a *Adapter) saveOffset(ctx context.Context, offset int) error {
	if err := a.state.Put(ctx, offsetKey, []byte(strconv.Itoa(offset))); err != nil {
		return fmt.Errorf("save offset %d: %w", offset, err)
	}
	return nil
}

// rawUpdateID reads update_id from an update that failed to parse.
func rawUpdateID(raw json.RawMessage) (int, bool) {
	var v struct {
		UpdateID int `json:"update_id"`
	}
	return v.UpdateID, json.Unmarshal(raw, &v) == nil && v.UpdateID > 0
}
