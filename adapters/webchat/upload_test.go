package webchat

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

type uploadResult struct {
	status int
	answer uploadAnswer
	errMsg string
}

func (f *fixture) upload(token, query string, body []byte, origin string) uploadResult {
	f.t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL+"/webchat/web/upload"+query, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := uploadResult{status: resp.StatusCode}
	if resp.StatusCode == http.StatusCreated {
		if err := json.Unmarshal(b, &r.answer); err != nil {
			f.t.Fatalf("upload answer %s: %v", b, err)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != origin {
			f.t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, origin)
		}
	} else {
		var e struct{ Error struct{ Message string } }
		_ = json.Unmarshal(b, &e)
		r.errMsg = e.Error.Message
	}
	return r
}

func TestUpload_png_is_sniffed_attached_and_served_to_its_visitor_only(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	up := f.upload(v.token(), "?name=../../etc/screenshot.png", pngBytes(), testOrigin)
	if up.status != http.StatusCreated || up.answer.Type != "image/png" || up.answer.Name != "screenshot.png" {
		t.Fatalf("upload = %+v, want a sniffed image/png named screenshot.png", up)
	}
	m := v.write("f1", "", up.answer.Upload)
	files := m["files"].([]any)
	file := files[0].(map[string]any)
	stored, err := f.store.Message(context.Background(), m.str("id"))
	if err != nil || len(stored.Attachments) != 1 || stored.Attachments[0].MIMEType != "image/png" {
		t.Fatalf("stored attachments = %+v (%v), want one image/png", stored.Attachments, err)
	}
	resp, err := http.Get(f.srv.URL + file["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, pngBytes()) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("file link: status %d, type %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	tampered := strings.Replace(file["url"].(string), "&s=", "&s=A", 1)
	if resp, _ := http.Get(f.srv.URL + tampered); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a tampered file link: status %d, want 403", resp.StatusCode)
	}

	other := f.connect(nil)
	other.send(map[string]any{"type": "message", "id": "steal", "files": []string{up.answer.Upload}})
	if got := other.next("error"); got.str("code") != "file_refused" || got.str("ref") != "steal" {
		t.Fatalf("another visitor attaching the upload: %v, want file_refused", got)
	}
}

func TestUpload_refusals_are_explained(t *testing.T) {
	images := []string{"image/png", "image/jpeg"}
	small := int64(1000)
	f := newFixture(t, Config{Capabilities: core.CapabilityOverride{Attachments: &images, MaxAttachmentSize: &small}})
	v := f.connect(nil)
	tests := []struct {
		name       string
		token      string
		query      string
		body       []byte
		origin     string
		wantStatus int
		wantText   string
	}{
		{"a type the widget does not accept", v.token(), "?name=a.zip", []byte("PK\x03\x04" + strings.Repeat("z", 100)), testOrigin,
			http.StatusUnsupportedMediaType, "This chat accepts only image/png, image/jpeg; this file is application/zip."},
		{"a file over the limit", v.token(), "?name=big.png", append(pngBytes(), make([]byte, 2000)...), testOrigin,
			http.StatusRequestEntityTooLarge, "the chat accepts files up to 1000 bytes"},
		{"no visitor token", "", "?name=a.png", pngBytes(), testOrigin, http.StatusUnauthorized, "reload"},
		{"a forged token", "djE.AAAA", "?name=a.png", pngBytes(), testOrigin, http.StatusUnauthorized, "reload"},
		{"an origin not allowed", v.token(), "?name=a.png", pngBytes(), "https://evil.example.net", http.StatusForbidden, "allowed_origins"},
		{"an empty file", v.token(), "?name=a.png", nil, testOrigin, http.StatusBadRequest, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.upload(tt.token, tt.query, tt.body, tt.origin)
			if got.status != tt.wantStatus || !strings.Contains(got.errMsg, tt.wantText) {
				t.Fatalf("upload: status %d %q, want %d containing %q", got.status, got.errMsg, tt.wantStatus, tt.wantText)
			}
		})
	}
}

func TestUpload_switched_off_features_refuse(t *testing.T) {
	off := false
	f := newFixture(t, Config{Features: Features{Uploads: &off, Voice: &off}})
	v := f.connect(nil)
	if got := f.upload(v.token(), "?name=a.png", pngBytes(), testOrigin); got.status != http.StatusForbidden {
		t.Errorf("upload with uploads off: status %d, want 403", got.status)
	}
	if got := f.upload(v.token(), "?voice=1", []byte("OggS\x00\x02"+strings.Repeat("\x00", 30)), testOrigin); got.status != http.StatusForbidden {
		t.Errorf("voice with voice off: status %d, want 403", got.status)
	}
	if w := v.welcome["widget"].(map[string]any)["features"].(map[string]any); w["uploads"] != false || w["voice"] != false {
		t.Errorf("widget features = %v, want uploads and voice off", w)
	}
}

func TestUpload_voice_message_is_flagged_voice(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	webm := []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm")
	up := f.upload(v.token(), "?voice=1&name=voice-message.webm", webm, testOrigin)
	if up.status != http.StatusCreated || !up.answer.Voice {
		t.Fatalf("voice upload = %+v", up)
	}
	m := v.write("v1", "", up.answer.Upload)
	stored, _ := f.store.Message(context.Background(), m.str("id"))
	if len(stored.Attachments) != 1 || !stored.Attachments[0].Voice {
		t.Fatalf("stored = %+v, want one voice attachment", stored.Attachments)
	}
}

func TestFiles_of_deleted_messages_are_no_longer_served(t *testing.T) {
	f := newFixture(t, Config{})
	v := f.connect(nil)
	conv := v.write("m", "hi").str("conversation")
	b, _ := f.blobs.Put(context.Background(), bytes.NewReader(pngBytes()), 1<<20)
	m := f.reply(conv, "here is the picture", core.Attachment{Filename: "pic.png", MIMEType: b.MIMEType, Size: b.Size, Blob: b.Ref})
	link := v.next("message").message()["files"].([]any)[0].(map[string]any)["url"].(string)
	if resp, _ := http.Get(f.srv.URL + link); resp.StatusCode != http.StatusOK {
		t.Fatalf("file before deletion: status %d", resp.StatusCode)
	}
	if _, err := f.hub.DeleteSent(context.Background(), f.op, m.ID); err != nil {
		t.Fatal(err)
	}
	if resp, _ := http.Get(f.srv.URL + link); resp.StatusCode != http.StatusNotFound {
		t.Errorf("file of a deleted message: status %d, want 404", resp.StatusCode)
	}
}
