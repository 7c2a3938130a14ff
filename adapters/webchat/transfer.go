package webchat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// TransferTTL is how long a $webtransfer link works.
const TransferTTL = 7 * 24 * time.Hour

// TransferLink returns the link of a $webtransfer: a page on the hub that
// opens this widget for the contact of a conversation on another channel.
// Whoever opens it continues as that contact, with their web chat history,
// so the link is sent only to the contact, and expires after TransferTTL.
func (a *Adapter) TransferLink(ctx context.Context, t core.Transfer) (string, error) {
	if a.public == "" {
		return "", &core.CapabilityError{Channel: a.name, Capability: "webtransfer",
			Reason: "The hub has no public_url, so the web chat cannot make a link the contact can open"}
	}
	g := transferGrant{Contact: t.Contact.ID, Expires: a.now().Add(TransferTTL).Unix()}
	return a.public + a.prefix + "/continue?t=" + url.QueryEscape(signed(a.keys.transfer, g)), nil
}

// acceptTransfer returns the visitor a $webtransfer grant continues as: the
// contact's existing web chat identity, or a new one linked to the contact.
func (a *Adapter) acceptTransfer(ctx context.Context, grant string) (string, error) {
	var g transferGrant
	if err := openSigned(a.keys.transfer, grant, &g); err != nil {
		return "", errors.New("this chat link is not valid")
	}
	if expired(g.Expires, a.now()) {
		return "", errors.New("this chat link has expired; ask for a new one")
	}
	contact, err := a.hub().Store().Contact(ctx, g.Contact)
	if err != nil {
		return "", errors.New("this chat link no longer leads anywhere")
	}
	for _, id := range contact.Identities {
		if id.Channel == a.name {
			return id.ExternalID, nil
		}
	}
	visitor := newVisitorID("t_")
	if _, err := a.hub().LinkIdentity(ctx, contact.ID, core.Identity{Channel: a.name, ExternalID: visitor}); err != nil {
		return "", fmt.Errorf("the chat could not be continued: %w", err)
	}
	return visitor, nil
}

// serveContinue handles GET /webchat/<name>/continue?t=<grant>: a page that
// opens the widget with the grant, which the widget exchanges for a visitor
// token in its hello.
func (a *Adapter) serveContinue(w http.ResponseWriter, r *http.Request) {
	grant := r.URL.Query().Get("t")
	var g transferGrant
	if err := openSigned(a.keys.transfer, grant, &g); err != nil || expired(g.Expires, a.now()) {
		writePage(w, http.StatusNotFound, pageData{Title: a.cfg.Title, Heading: "This chat link is not valid or has expired",
			Text: "Ask us for a new link, or write to us again where you did before."})
		return
	}
	writePage(w, http.StatusOK, pageData{Title: a.cfg.Title, Heading: a.cfg.Title,
		Text: "Your conversation continues here.", Widget: a.name, Transfer: grant, Open: true})
}
