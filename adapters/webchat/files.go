package webchat

import (
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// serveFile handles GET /webchat/<name>/files/{ref}?m=<message>&s=<sig>:
// an attachment of a message of this channel, at a link the server signed
// when it showed the message to its visitor. Attachments of deleted
// messages are gone for the visitor. Images, audio and video are shown
// inline; anything else downloads, and nosniff plus a sandbox policy keep an
// uploaded HTML or SVG file from running in the hub's origin.
func (a *Adapter) serveFile(w http.ResponseWriter, r *http.Request) {
	ref, msgID, sig := r.PathValue("ref"), r.URL.Query().Get("m"), r.URL.Query().Get("s")
	if !a.keys.fileSigOK(msgID, ref, sig) {
		writeError(w, http.StatusForbidden, "bad_link", "this file link is not valid")
		return
	}
	ctx := r.Context()
	m, err := a.hub().Store().Message(ctx, msgID)
	if err != nil || m.Channel != a.name || m.Note || m.DeletedAt != nil || a.deleted.has(m.ID, a.now()) {
		writeError(w, http.StatusNotFound, "not_found", "this file is no longer available")
		return
	}
	var att *core.Attachment
	for i := range m.Attachments {
		if m.Attachments[i].Blob == ref {
			att = &m.Attachments[i]
		}
	}
	if att == nil {
		writeError(w, http.StatusNotFound, "not_found", "this file is no longer available")
		return
	}
	rc, err := a.blobs.Open(ctx, ref)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "this file is no longer available")
		return
	}
	defer rc.Close()
	h := w.Header()
	ct := att.MIMEType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin") // shown on the embedding site
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", `"`+ref+`"`)
	a.cors(w, r)
	disposition := "attachment"
	if inline(ct) {
		disposition = "inline"
	}
	name := att.Filename
	if name == "" {
		name = "file"
	}
	if cd := mime.FormatMediaType(disposition, map[string]string{"filename": name}); cd != "" {
		h.Set("Content-Disposition", cd)
	} else {
		h.Set("Content-Disposition", disposition)
	}
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", m.CreatedAt, rs) // ranges let players seek
		return
	}
	_, _ = io.Copy(w, rc)
}

func inline(ct string) bool {
	ct = strings.ToLower(ct)
	if strings.HasPrefix(ct, "image/svg") {
		return false
	}
	return strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/")
}
