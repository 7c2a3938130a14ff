//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/switchboard-hq/switchboard/core"
)

// PairOptions configure Pair.
type PairOptions struct {
	// Channel names the whatsmeow channel to link.
	Channel string
	// State is that channel's durable state in the hub's store.
	State core.ChannelState
	// SessionDSN gives the hub's database, as Deps.SessionDSN.
	SessionDSN func() (string, error)
	// Phone, when set (E.164), links with a pairing code typed on that
	// phone instead of a QR code.
	Phone string
	// Out receives the QR codes and instructions.
	Out io.Writer
	// Logger receives whatsmeow's diagnostics; nil discards.
	Logger *slog.Logger
}

// Pair links a WhatsApp account to a whatsmeow channel from a terminal
// (`switchboard whatsapp pair`): it prints each QR code as text blocks (or
// the pairing code for opts.Phone) until the account is linked, records
// the device like the running hub would, and returns the linked number. A
// running hub notices the pairing within seconds. A channel that is
// already linked is left as it is.
func Pair(ctx context.Context, opts PairOptions) (string, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &sqlSessions{dsn: opts.SessionDSN, state: opts.State, log: opts.Logger}
	defer s.close()
	return pairTerminal(ctx, s, opts)
}

// linkWait bounds how long Pair waits for the first connection after the
// scan, which completes the link on WhatsApp's side.
const linkWait = 30 * time.Second

func pairTerminal(ctx context.Context, s sessions, opts PairOptions) (string, error) {
	cl, account, err := s.open(ctx)
	if err != nil {
		return "", err
	}
	if account != "" {
		fmt.Fprintf(opts.Out, "Channel %s is already linked to %s; nothing to do.\n", opts.Channel, account)
		return account, nil
	}
	var phone string
	if opts.Phone != "" {
		p, ok := e164(strings.NewReplacer(" ", "", "-", "").Replace(opts.Phone))
		if !ok {
			return "", fmt.Errorf("--phone %q is not a number in international form (+15550100)", opts.Phone)
		}
		phone = p
	}
	connected := make(chan struct{}, 1)
	linked := make(chan string, 1)
	cl.AddEventHandlerWithSuccessStatus(func(evt any) bool {
		switch e := evt.(type) {
		case *events.PairSuccess:
			if err := s.linked(ctx, e.ID); err != nil {
				fmt.Fprintf(opts.Out, "The device could not be recorded: %v\n", err)
			}
			a, _ := e164(e.ID.User)
			select {
			case linked <- a:
			default:
			}
		case *events.Connected:
			select {
			case connected <- struct{}{}:
			default:
			}
		}
		return true
	})
	defer cl.Disconnect()
	asked := false
	onCode := func(code string, valid time.Duration) {
		if phone == "" {
			fmt.Fprintf(opts.Out, "\n%s\nScan it in WhatsApp on the phone: Settings › Linked devices › Link a device (valid %s).\n", qrText(code), valid)
			return
		}
		if asked {
			return
		}
		asked = true
		pc, err := cl.PairPhone(ctx, phone[1:], true, whatsmeow.PairClientChrome, "Chrome (Linux)")
		if err != nil {
			fmt.Fprintf(opts.Out, "WhatsApp gave no pairing code: %v\n", err)
			return
		}
		fmt.Fprintf(opts.Out, "On %s: WhatsApp › Settings › Linked devices › Link a device › Link with phone number instead, and type\n\n    %s\n\n", phone, pc)
	}
	ok, outcome := runQR(ctx, cl, onCode, func() {})
	if !ok {
		return "", errors.New("whatsapp pairing: " + outcome)
	}
	account = <-linked
	select { // let the first connection finish the link before handing over
	case <-connected:
	case <-time.After(linkWait):
	case <-ctx.Done():
	}
	fmt.Fprintf(opts.Out, "Linked channel %s to %s.\n", opts.Channel, account)
	return account, nil
}
