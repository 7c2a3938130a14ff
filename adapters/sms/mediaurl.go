package sms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// mediaSigner makes and checks the tokens of outbound media URLs: a blob
// reference, its MIME type and an expiry, with an HMAC-SHA256 over them.
type mediaSigner struct {
	key []byte
	ttl time.Duration
}

// mediaToken is what a media URL grants: one blob, served as one type,
// until Expires.
type mediaToken struct {
	Blob     string
	MIMEType string
	Expires  time.Time
}

// Errors of mediaSigner.parse.
var (
	errBadToken     = errors.New("media token is not valid")
	errExpiredToken = errors.New("media token has expired")
)

// sign returns base64url(blob "\n" mime "\n" unix expiry) + "." +
// base64url(MAC).
func (s mediaSigner) sign(t mediaToken) string {
	payload := t.Blob + "\n" + t.MIMEType + "\n" + strconv.FormatInt(t.Expires.Unix(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

func (s mediaSigner) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// parse checks token's MAC (in constant time) and expiry at now.
func (s mediaSigner) parse(token string, now time.Time) (mediaToken, error) {
	p64, m64, ok := strings.Cut(token, ".")
	if !ok || len(token) > 2048 {
		return mediaToken{}, errBadToken
	}
	payload, err1 := base64.RawURLEncoding.Strict().DecodeString(p64)
	sum, err2 := base64.RawURLEncoding.Strict().DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(sum, s.mac(string(payload))) {
		return mediaToken{}, errBadToken
	}
	parts := strings.Split(string(payload), "\n")
	if len(parts) != 3 {
		return mediaToken{}, errBadToken
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return mediaToken{}, errBadToken
	}
	t := mediaToken{Blob: parts[0], MIMEType: parts[1], Expires: time.Unix(exp, 0)}
	if !now.Before(t.Expires) {
		return t, errExpiredToken
	}
	return t, nil
}

// mediaURL is the signed URL the provider fetches an outbound attachment
// from.
func (a *Adapter) mediaURL(att core.Attachment) string {
	tok := a.media.sign(mediaToken{Blob: att.Blob, MIMEType: att.MIMEType, Expires: a.now().Add(a.media.ttl)})
	return a.public + routeMedia + tok
}

// serveMedia handles GET <path>/media/{token}: the bytes of one outbound
// attachment, for the provider. A forged token is 404, an expired one 410.
func (a *Adapter) serveMedia(w http.ResponseWriter, r *http.Request) {
	tok, err := a.media.parse(r.PathValue("token"), a.now())
	switch {
	case errors.Is(err, errExpiredToken):
		writeText(w, http.StatusGone, "this media URL has expired")
		return
	case err != nil:
		writeText(w, http.StatusNotFound, "no such media")
		return
	}
	rc, err := a.blobs.Open(r.Context(), tok.Blob)
	switch {
	case errors.Is(err, core.ErrNotFound) || core.ErrorCode(err) == core.CodeNotFound:
		writeText(w, http.StatusNotFound, "no such media")
		return
	case err != nil:
		a.log.ErrorContext(r.Context(), "open outbound medium", "blob", tok.Blob, "err", err)
		writeText(w, http.StatusServiceUnavailable, "the media could not be read; retry later")
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", tok.MIMEType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", fmt.Sprintf("private, max-age=%d", max(0, int(tok.Expires.Sub(a.now()).Seconds()))))
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", time.Time{}, rs)
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, rc); err != nil {
		a.log.InfoContext(r.Context(), "outbound medium not served in full", "blob", tok.Blob, "err", err)
	}
}
