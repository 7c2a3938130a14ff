package sms

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestMediaURL_serves_the_blob_until_it_expires_and_never_a_forged_one(t *testing.T) {
	r := newRig(t, Config{})
	img := r.blobs.attachment(t, sampleGIF, false)
	valid := r.a.mediaURL(img)
	tok := strings.TrimPrefix(valid, r.a.public+routeMedia)
	payload, mac, _ := strings.Cut(tok, ".")
	expired := r.a.public + routeMedia + r.a.media.sign(mediaToken{Blob: img.Blob, MIMEType: img.MIMEType, Expires: testNow.Add(-time.Second)})
	gone := r.a.public + routeMedia + r.a.media.sign(mediaToken{Blob: "sha256:00", MIMEType: "image/gif", Expires: testNow.Add(time.Hour)})
	other := newRig(t, Config{AuthToken: "another-token", AccountSID: testSID})
	tests := []struct {
		name, method, url string
		status            int
		body              []byte
	}{
		{"valid", http.MethodGet, valid, http.StatusOK, sampleGIF},
		{"valid, HEAD", http.MethodHead, valid, http.StatusOK, nil},
		{"expired", http.MethodGet, expired, http.StatusGone, nil},
		{"MAC changed", http.MethodGet, r.a.public + routeMedia + payload + "." + strings.Repeat("A", len(mac)), http.StatusNotFound, nil},
		{"payload changed", http.MethodGet, r.a.public + routeMedia + "x" + tok, http.StatusNotFound, nil},
		{"no MAC", http.MethodGet, r.a.public + routeMedia + payload, http.StatusNotFound, nil},
		{"signed by another channel", http.MethodGet, r.a.public + routeMedia + strings.TrimPrefix(other.a.mediaURL(img), other.a.public+routeMedia), http.StatusNotFound, nil},
		{"blob deleted", http.MethodGet, gone, http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, tt.url, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if tt.body != nil && (!bytes.Equal(body, tt.body) || resp.Header.Get("Content-Type") != "image/gif") {
				t.Fatalf("served %d bytes of %s, want the GIF", len(body), resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestMediaToken_expiry_is_the_configured_ttl(t *testing.T) {
	r := newRig(t, Config{MediaURLTTL: 10 * time.Minute})
	tok := strings.TrimPrefix(r.a.mediaURL(r.blobs.attachment(t, samplePNG, false)), r.a.public+routeMedia)
	got, err := r.a.media.parse(tok, testNow)
	if err != nil || !got.Expires.Equal(testNow.Add(10*time.Minute)) || got.MIMEType != "image/png" {
		t.Fatalf("token = %+v (%v), want image/png expiring at %s", got, err, testNow.Add(10*time.Minute))
	}
	if _, err := r.a.media.parse(tok, testNow.Add(10*time.Minute)); err != errExpiredToken {
		t.Fatalf("at expiry: %v, want errExpiredToken", err)
	}
}
