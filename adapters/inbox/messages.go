package inbox

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	ctx := r.Context()
	conv, err := s.conversation(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	msgs, err := s.hub.Store().Messages(ctx, conv.ID)
	if err != nil {
		return err
	}
	out := make([]messageView, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, viewMessage(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
	return nil
}

// composed is what the composer posted, from JSON or multipart.
type composed struct {
	Text           string `json:"text"`
	Note           bool   `json:"note"`
	IdempotencyKey string `json:"idempotency_key"`
	attachments    []core.Attachment
}

// postMessage sends a message or note, or runs a composer command. Files
// come as multipart/form-data and are stored before the hub checks them
// against the channel; a refusal removes them again, so nothing is queued
// and nothing is left behind.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	ctx := r.Context()
	conv, err := s.conversation(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	var in composed
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		in, err = s.readUpload(w, r, conv)
	} else {
		err = decodeJSON(w, r, &in)
	}
	if err != nil {
		s.discard(ctx, in.attachments)
		return err
	}
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	}
	if len(in.IdempotencyKey) > 200 {
		s.discard(ctx, in.attachments)
		return core.Invalidf("an idempotency key has at most 200 characters")
	}
	if !in.Note && core.IsCommand(in.Text) {
		if len(in.attachments) > 0 {
			s.discard(ctx, in.attachments)
			return core.Invalidf("a command cannot carry files; send the files in a message of their own")
		}
		return s.runCommand(w, r, me, conv.ID, in.Text)
	}
	m, err := s.hub.Send(ctx, me, conv.ID, core.Reply{
		Text: in.Text, Note: in.Note, Attachments: in.attachments, IdempotencyKey: in.IdempotencyKey,
	})
	if err != nil {
		s.discard(ctx, in.attachments)
		return err
	}
	writeJSON(w, http.StatusCreated, viewMessage(m))
	return nil
}

// discard deletes stored uploads that no message refers to. Blobs are
// content-addressed, so the same bytes may belong to an earlier message.
func (s *Server) discard(ctx context.Context, atts []core.Attachment) {
	ctx = context.WithoutCancel(ctx) // clean up even if the client left
	for _, a := range atts {
		used, err := s.hub.Store().BlobReferenced(ctx, a.Blob)
		if err != nil {
			s.log.Warn("check blob before removing it", "blob", a.Blob, "err", err)
			continue
		}
		if used {
			continue
		}
		if err := s.hub.Blobs().Delete(ctx, a.Blob); err != nil {
			s.log.Warn("remove refused upload", "blob", a.Blob, "err", err)
		}
	}
}

// runCommand executes "$status waiting", "!thanks" and the like.
func (s *Server) runCommand(w http.ResponseWriter, r *http.Request, me core.Operator, convID, text string) error {
	ctx := r.Context()
	res, err := s.hub.Execute(ctx, me, convID, text)
	if err != nil {
		return err
	}
	out := commandView{Command: res.Command}
	if res.Message != nil {
		m := viewMessage(*res.Message)
		out.Message = &m
	}
	if res.Conversation != nil {
		c, err := s.conversationWithContact(ctx, *res.Conversation)
		if err != nil {
			return err
		}
		out.Conversation = &c
	}
	if res.Contact != nil {
		c := viewContact(*res.Contact)
		out.Contact = &c
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) editNote(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	var req struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.hub.EditNote(r.Context(), me, r.PathValue("id"), req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewMessage(m))
	return nil
}

func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	id := r.PathValue("id")
	m, err := s.hub.Store().Message(r.Context(), id)
	if err != nil {
		return err
	}
	if m.Note {
		if err := s.hub.DeleteNote(r.Context(), me, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	m, err = s.hub.DeleteSent(r.Context(), me, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewMessage(m))
	return nil
}

// retry queues a failed message again; only the assignee may.
func (s *Server) retry(w http.ResponseWriter, r *http.Request, me core.Operator) error {
	m, err := s.hub.Retry(r.Context(), me, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewMessage(m))
	return nil
}

// getBlob streams an attachment. The message query parameter names the
// message holding it: the attachment gives the type and file name, and a
// ref no message holds is not served. Only images are shown inline; every
// other type downloads, and nosniff plus a sandbox policy keep an uploaded
// HTML or SVG file from running in the hub's origin.
func (s *Server) getBlob(w http.ResponseWriter, r *http.Request, _ core.Operator) error {
	ctx := r.Context()
	ref, msgID := r.PathValue("ref"), r.URL.Query().Get("message")
	if msgID == "" {
		return core.Invalidf("the message query parameter is required: use the attachment's url")
	}
	m, err := s.hub.Store().Message(ctx, msgID)
	if isNotFound(err) {
		return core.NotFoundf("no message %q", msgID)
	}
	if err != nil {
		return err
	}
	var att *core.Attachment
	for i := range m.Attachments {
		if m.Attachments[i].Blob == ref {
			att = &m.Attachments[i]
			break
		}
	}
	if att == nil {
		return core.NotFoundf("message %s has no attachment %q", msgID, ref)
	}
	rc, err := s.hub.Blobs().Open(ctx, ref)
	if isNotFound(err) || errors.Is(err, fs.ErrNotExist) {
		return core.NotFoundf("the bytes of %q are gone", att.Filename)
	}
	if err != nil {
		return err
	}
	defer rc.Close()

	h := w.Header()
	ct := att.MIMEType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	disposition := "attachment"
	if strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "image/svg") {
		disposition = "inline"
	}
	name := att.Filename
	if name == "" {
		name = "attachment"
	}
	if cd := mime.FormatMediaType(disposition, map[string]string{"filename": name}); cd != "" {
		h.Set("Content-Disposition", cd)
	} else {
		h.Set("Content-Disposition", disposition)
	}
	h.Set("ETag", `"`+ref+`"`) // content-addressed: the ref names the bytes
	if rs, ok := rc.(io.ReadSeeker); ok {
		// Range requests let browsers seek in audio and video.
		http.ServeContent(w, r, "", m.CreatedAt, rs)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, rc)
	return nil
}
