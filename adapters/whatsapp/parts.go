package whatsapp

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// WhatsApp's text limits, in characters.
const (
	maxTextChars    = 4096
	maxCaptionChars = 1024
)

// part is one WhatsApp message of a reply: a text, or one attachment with
// an optional caption.
type part struct {
	text    string
	att     *core.Attachment
	caption string
}

// replyParts splits a reply into WhatsApp messages. The text becomes the
// caption of the first attachment when that is an image, video or
// document and the text fits a caption; otherwise it goes first, in
// messages of at most 4,096 characters. Each attachment is one message.
func replyParts(text string, atts []core.Attachment) []part {
	text = strings.TrimSpace(text)
	var parts []part
	if text != "" && len(atts) > 0 && takesCaption(atts[0].MIMEType) && utf8.RuneCountInString(text) <= maxCaptionChars {
		parts = append(parts, part{att: &atts[0], caption: text})
		atts = atts[1:]
		text = ""
	}
	for _, t := range splitText(text, maxTextChars) {
		parts = append(parts, part{text: t})
	}
	for i := range atts {
		parts = append(parts, part{att: &atts[i]})
	}
	return parts
}

// takesCaption reports whether WhatsApp shows a caption under a file of
// this type: images, videos and documents do, audio does not.
func takesCaption(mimeType string) bool {
	return !strings.HasPrefix(strings.ToLower(mimeType), "audio/")
}

// sendParts sends the parts of a reply in order with sendOne, which
// returns each part's WhatsApp id. A reply of several parts records each
// sent part in the channel's state, so that a retry after a failure sends
// only the rest. The receipt names the first part's id. Errors keep
// sendOne's class and name the failed part.
func (a *Adapter) sendParts(ctx context.Context, out core.Outbound, parts []part,
	sendOne func(ctx context.Context, i int, p part) (string, error)) (core.SendReceipt, error) {
	ids, err := core.SendParts(ctx, a.state, out, len(parts), func(ctx context.Context, i int) (string, error) {
		return sendOne(ctx, i, parts[i])
	})
	if err != nil {
		a.log.WarnContext(ctx, "reply not sent", "message", out.MessageID, "attempt", out.Attempt,
			"permanent", core.IsPermanent(err), "err", err)
		return core.SendReceipt{}, err
	}
	return core.SendReceipt{ProviderMessageID: ids[0]}, nil
}

// replyKey is what identifies a reply across redeliveries.
func replyKey(out core.Outbound) string {
	if out.IdempotencyKey != "" {
		return out.IdempotencyKey
	}
	return out.MessageID
}

// splitText cuts s into pieces of at most max characters, at the last line
// break or space of a piece when there is one in its second half.
func splitText(s string, max int) []string {
	var out []string
	for s != "" {
		cut, n, lastSpace := len(s), 0, -1
		for i, r := range s {
			if n == max {
				cut = i
				break
			}
			n++
			if (r == '\n' || r == ' ') && n > max/2 {
				lastSpace = i
			}
		}
		if cut < len(s) && lastSpace > 0 {
			cut = lastSpace
		}
		if cut == 0 { // max below one character: take one anyway
			_, cut = utf8.DecodeRuneInString(s)
		}
		if piece := strings.TrimSpace(s[:cut]); piece != "" {
			out = append(out, piece)
		}
		s = strings.TrimLeft(s[cut:], " \n")
	}
	return out
}
