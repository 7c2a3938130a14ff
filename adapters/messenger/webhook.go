package messenger

import (
	"context"
	"net/http"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
)

// newWebhook is the channel's Meta webhook endpoint: the GET verification
// handshake and the signed event POSTs, answered as meta.Webhook says (413
// oversize, 401 missing and 403 bad signature, 400 malformed, 503 when an
// event could not be stored, 200 otherwise).
func (a *Adapter) newWebhook() http.Handler {
	return &meta.Webhook{
		AppSecret:    a.cfg.AppSecret,
		VerifyToken:  a.cfg.VerifyToken,
		MaxBodyBytes: a.cfg.MaxBodyBytes,
		Logger:       a.log,
		Receive:      a.receiveBody,
	}
}

// receiveBody hands every event of a verified body to the hub in payload
// order. It returns nil only once every event is stored, filtered or a
// duplicate; a storage or media failure is returned so that Meta delivers
// the batch again (events already stored are then duplicates).
func (a *Adapter) receiveBody(ctx context.Context, body []byte) error {
	events, err := parseEvents(a.name, body)
	if err != nil {
		return err // wraps meta.ErrMalformed
	}
	for _, ev := range events {
		if err := a.handle(ctx, ev); err != nil {
			a.log.ErrorContext(ctx, "webhook event not stored; Meta will deliver it again",
				"mid", ev.In.ProviderMessageID, "contact", ev.In.Contact.ID, "err", err)
			return err
		}
	}
	return nil
}
