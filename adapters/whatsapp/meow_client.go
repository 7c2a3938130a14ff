//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// client is the part of *whatsmeow.Client the driver uses, so that tests
// can stand in for WhatsApp's servers. whatsmeow's own documentation gives
// each method's contract; the driver relies on these:
//
//   - the handler's false return leaves a message unacknowledged (the
//     client is built with SynchronousAck), so WhatsApp delivers it again;
//   - GetQRChannel is called before ConnectContext on an unpaired device;
//   - SendMessage with SendRequestExtra.ID sends under that id, so a retry
//     of a message whose fate is unknown reuses it.
type client interface {
	AddEventHandlerWithSuccessStatus(handler whatsmeow.EventHandlerWithSuccessStatus) uint32
	ConnectContext(ctx context.Context) error
	Disconnect()
	IsConnected() bool
	GetQRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error)
	PairPhone(ctx context.Context, phone string, showPushNotification bool, clientType whatsmeow.PairClientType, clientDisplayName string) (string, error)
	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)
	BuildRevoke(chat, sender types.JID, id types.MessageID) *waE2E.Message
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
}

var _ client = (*whatsmeow.Client)(nil)
