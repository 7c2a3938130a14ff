package inbox

import (
	"bufio"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// Upload limits.
const (
	// uploadOverhead is what a multipart body may hold beyond its files:
	// boundaries, part headers and text fields.
	uploadOverhead = 1 << 20
	maxFiles       = 10
)

// readUpload reads a multipart composer post: fields text, note, voice and
// idempotency_key, and any number of "file" parts. Fields may come in any
// order. Each file streams into the blob store, limited to the largest file
// the conversation's channel accepts; its type is sniffed from the bytes.
// On error the attachments stored so far are returned so the caller can
// remove them.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request, conv core.Conversation) (composed, error) {
	var in composed
	limit := core.MaxUpload
	label := "this hub"
	if ch, err := s.hub.Channel(conv.Channel); err == nil {
		limit = ch.Capabilities.MaxSize()
		label = ch.Capabilities.Label
		if label == "" {
			label = "channel " + ch.Name
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, core.MaxUpload+uploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return in, core.Invalidf("malformed multipart body: %v", err)
	}
	voice := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return in, multipartError(err)
		}
		switch name := part.FormName(); name {
		case "file":
			if len(in.attachments) == maxFiles {
				return in, core.Invalidf("at most %d files per message", maxFiles)
			}
			att, ok, err := s.storeFile(r, part, limit, label)
			if err != nil {
				return in, err
			}
			if ok {
				in.attachments = append(in.attachments, att)
			}
		case "text", "note", "voice", "idempotency_key":
			v, err := formValue(part, name)
			if err != nil {
				return in, err
			}
			switch name {
			case "text":
				in.Text = v
			case "idempotency_key":
				in.IdempotencyKey = strings.TrimSpace(v)
			case "note":
				if in.Note, err = formBool(name, v); err != nil {
					return in, err
				}
			case "voice":
				if voice, err = formBool(name, v); err != nil {
					return in, err
				}
			}
		default:
			return in, core.Invalidf("unknown form field %q (want text, note, voice, idempotency_key or file)", name)
		}
	}
	for i := range in.attachments {
		in.attachments[i].Voice = voice
	}
	return in, nil
}

// storeFile streams one file part into the blob store. An empty part (a
// file input left empty) is skipped.
func (s *Server) storeFile(r *http.Request, part *multipart.Part, limit int64, label string) (core.Attachment, bool, error) {
	br := bufio.NewReader(part)
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return core.Attachment{}, false, nil
	} else if err != nil {
		return core.Attachment{}, false, multipartError(err)
	}
	name := core.CleanFilename(part.FileName())
	if name == "" {
		name = "attachment"
	}
	src := &readErr{r: br}
	blob, err := s.hub.Blobs().Put(r.Context(), src, limit)
	switch {
	case err == nil:
	case src.err != nil && !errors.Is(src.err, io.EOF):
		// The body broke off or outgrew the request limit.
		return core.Attachment{}, false, multipartError(src.err)
	case core.ErrorCode(err) == core.CodeTooLarge:
		return core.Attachment{}, false, core.TooLargef("%s is too large: %s accepts files up to %s", name, label, byteCount(limit))
	default:
		return core.Attachment{}, false, err // the blob store failed
	}
	return core.Attachment{Filename: name, MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref}, true, nil
}

// readErr remembers the error its reader returned, so a failure of the
// client's body can be told from a failure of the blob store.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// formValue reads a text field, at most core.MaxTextLen bytes.
func formValue(part *multipart.Part, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, core.MaxTextLen+1))
	if err != nil {
		return "", multipartError(err)
	}
	if len(b) > core.MaxTextLen {
		return "", core.TooLargef("field %s is over %d bytes", name, core.MaxTextLen)
	}
	if !utf8.Valid(b) {
		return "", core.Invalidf("field %s is not valid UTF-8 text", name)
	}
	return string(b), nil
}

func formBool(name, v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, core.Invalidf("field %s must be true or false, not %q", name, v)
	}
	return b, nil
}

// multipartError keeps a body-size error (answered 413) and explains the
// rest as malformed input.
func multipartError(err error) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) || core.ErrorCode(err) != "" {
		return err
	}
	return core.Invalidf("malformed multipart body: %v", err)
}
