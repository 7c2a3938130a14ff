package whatsapp

import (
	"context"
	"net/http"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
	"github.com/switchboard-hq/switchboard/core"
)

// cloudDriver speaks the WhatsApp Business Cloud API: Meta's webhook in,
// Graph API calls out. It keeps no connection of its own.
type cloudDriver struct {
	a        *Adapter
	graph    *graphClient
	consents consents
	hook     http.Handler
}

func newCloud(a *Adapter, client *http.Client) *cloudDriver {
	if client == nil {
		client = &http.Client{}
	}
	d := &cloudDriver{a: a, graph: newGraphClient(client, a.cfg), consents: consents{state: a.state}}
	d.hook = &meta.Webhook{
		AppSecret: a.cfg.AppSecret, VerifyToken: a.cfg.VerifyToken, MaxBodyBytes: a.cfg.MaxBodyBytes,
		Logger: a.log, Receive: d.receiveBody,
	}
	return d
}

func (d *cloudDriver) run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

func (d *cloudDriver) health() Health {
	return Health{State: HealthConnected, Account: d.a.cfg.PhoneNumberID}
}

func (d *cloudDriver) webhook() http.Handler { return d.hook }

func (d *cloudDriver) pairing() (http.Handler, http.Handler) { return nil, nil }

// revoke is refused: the Cloud API cannot delete a sent message (and
// Config.Validate keeps allow_delete off for this driver).
func (d *cloudDriver) revoke(context.Context, core.Message, core.ContactRef) error {
	return &core.CapabilityError{Channel: d.a.name, Capability: "delete",
		Reason: "the WhatsApp Cloud API cannot delete a message once it is sent"}
}

// markRead marks each message read
// (POST /{phone_number_id}/messages {"status": "read"}).
func (d *cloudDriver) markRead(ctx context.Context, _ core.ContactRef, ids []string) error {
	for _, id := range ids {
		body, err := marshal(struct {
			Product   string `json:"messaging_product"`
			Status    string `json:"status"`
			MessageID string `json:"message_id"`
		}{"whatsapp", "read", id})
		if err != nil {
			return core.Permanent(err)
		}
		if _, err := d.graph.sendMessage(ctx, body); err != nil {
			return err
		}
	}
	return nil
}

// HeaderSignature carries Meta's signature of a webhook body.
const HeaderSignature = meta.HeaderSignature

// Sign returns the X-Hub-Signature-256 value Meta sends with body:
// "sha256=" and the hex HMAC-SHA256 of the raw body under the app secret.
func Sign(appSecret string, body []byte) string { return meta.Sign(appSecret, body) }
