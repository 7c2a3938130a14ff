package webchat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// uploadTTL is how long an upload may wait to be attached to a message.
const uploadTTL = time.Hour

// uploadAnswer is what the widget gets for a stored file: the token it
// names the file by in its message frame.
type uploadAnswer struct {
	Upload string `json:"upload"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	Voice  bool   `json:"voice,omitempty"`
}

// serveUpload handles POST /webchat/<name>/upload?name=<file name>[&voice=1]
// with the visitor token as a bearer token and the file as the raw body. The
// body is streamed into the blob store up to the widget's size limit, its
// type sniffed from the bytes, and refused (and removed) when the widget
// does not accept that type. The refusal texts are shown in the widget.
func (a *Adapter) serveUpload(w http.ResponseWriter, r *http.Request) {
	if err := a.checkOrigin(r); err != nil {
		writeError(w, http.StatusForbidden, "origin_refused", err.Error())
		return
	}
	a.cors(w, r)
	visitor := a.keys.visitorOf(a.name, bearer(r))
	if visitor == "" {
		writeError(w, http.StatusUnauthorized, "unauthenticated", "reload the page to start the chat again")
		return
	}
	voice := r.URL.Query().Get("voice") == "1"
	switch {
	case !on(a.cfg.Features.Uploads) && !voice:
		writeError(w, http.StatusForbidden, "uploads_off", "This chat does not accept files.")
		return
	case voice && !on(a.cfg.Features.Voice):
		writeError(w, http.StatusForbidden, "voice_off", "This chat does not accept voice messages.")
		return
	case len(a.caps.Attachments) == 0:
		writeError(w, http.StatusForbidden, "uploads_off", "This chat does not accept files.")
		return
	}
	limit := a.caps.MaxSize()
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", tooLargeText(r.ContentLength, limit))
		return
	}
	name := core.CleanFilename(r.URL.Query().Get("name"))
	if name == "" {
		name = "file"
		if voice {
			name = "voice message"
		}
	}
	blob, err := a.blobs.Put(r.Context(), http.MaxBytesReader(w, r.Body, limit), limit)
	var tooBig *http.MaxBytesError
	switch {
	case core.ErrorCode(err) == core.CodeTooLarge || errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", tooLargeText(r.ContentLength, limit))
		return
	case err != nil:
		a.log.Error("upload not stored", "visitor", visitor, "err", err)
		writeError(w, http.StatusServiceUnavailable, "unavailable", "The file could not be stored; try again.")
		return
	case blob.Size == 0:
		a.discard(r.Context(), blob.Ref)
		writeError(w, http.StatusBadRequest, "empty", "The file is empty.")
		return
	}
	at := core.Attachment{Filename: name, MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref, Voice: voice}
	if err := a.caps.CheckAttachment(a.name, at); err != nil {
		a.discard(r.Context(), blob.Ref)
		writeError(w, http.StatusUnsupportedMediaType, "type_refused", visitorText(err))
		return
	}
	g := uploadGrant{Visitor: visitor, Blob: blob.Ref, Name: name, Type: blob.MIMEType, Size: blob.Size,
		Voice: voice, Expires: a.now().Add(uploadTTL).Unix()}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(encode(uploadAnswer{Upload: signed(a.keys.upload, g), Name: name, Type: blob.MIMEType, Size: blob.Size, Voice: voice}))
}

// attachments turns the upload tokens of a message frame into attachments.
// A token is good only for the visitor who uploaded the file.
func (a *Adapter) attachments(visitor string, tokens []string) ([]core.Attachment, error) {
	var out []core.Attachment
	for _, t := range tokens {
		var g uploadGrant
		if err := openSigned(a.keys.upload, t, &g); err != nil || g.Visitor != visitor {
			return nil, errors.New("a file of this message is not one you uploaded; attach it again")
		}
		if expired(g.Expires, a.now()) {
			return nil, fmt.Errorf("%s was uploaded too long ago; attach it again", g.Name)
		}
		out = append(out, core.Attachment{Filename: g.Name, MIMEType: g.Type, Size: g.Size, Blob: g.Blob, Voice: g.Voice})
	}
	return out, nil
}

// discard removes an upload that no message refers to.
func (a *Adapter) discard(ctx context.Context, ref string) {
	ctx = context.WithoutCancel(ctx)
	if used, err := a.hub().Store().BlobReferenced(ctx, ref); err != nil || used {
		return
	}
	if err := a.blobs.Delete(ctx, ref); err != nil {
		a.log.Warn("remove refused upload", "blob", ref, "err", err)
	}
}

// visitorText rewords a capability refusal for visitors: "Web chat accepts
// only ..." reads "This chat accepts only ...".
func visitorText(err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "Web chat "); ok {
		return "This chat " + rest + "."
	}
	return msg
}

func tooLargeText(size, limit int64) string {
	if size > 0 {
		return fmt.Sprintf("This file is %s; the chat accepts files up to %s.", byteSize(size), byteSize(limit))
	}
	return fmt.Sprintf("This file is larger than the %s the chat accepts.", byteSize(limit))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// cors lets the pages of allowed origins call the widget's endpoints; the
// caller checked the Origin.
func (a *Adapter) cors(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", o)
		h.Add("Vary", "Origin")
	}
}

// servePreflight answers CORS preflight requests of allowed origins.
func (a *Adapter) servePreflight(w http.ResponseWriter, r *http.Request) {
	if err := a.checkOrigin(r); err != nil {
		writeError(w, http.StatusForbidden, "origin_refused", err.Error())
		return
	}
	a.cors(w, r)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
