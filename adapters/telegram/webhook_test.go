package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const textUpdate = `{"update_id":100,"message":{"message_id":1,"date":1741857000,"from":{"id":42,"is_bot":false,"first_name":"Ada"},"chat":{"id":42,"first_name":"Ada","type":"private"},"text":"hello"}}`

const photoUpdate = `{"update_id":101,"message":{"message_id":2,"date":1741857000,"from":{"id":42,"is_bot":false,"first_name":"Ada"},"chat":{"id":42,"first_name":"Ada","type":"private"},"photo":[{"file_id":"P1","file_unique_id":"u","width":10,"height":10,"file_size":2000}]}}`

func TestWebhook_refusals_store_nothing(t *testing.T) {
	e := newEnv(t, ModeWebhook)
	e.ad.cfg.MaxBodyBytes = 512
	tests := []struct {
		name   string
		body   string
		header http.Header
		want   int
	}{
		{"missing secret token", textUpdate, http.Header{"Content-Type": {"application/json"}}, http.StatusUnauthorized},
		{"empty secret token", textUpdate, http.Header{HeaderSecretToken: {""}}, http.StatusUnauthorized},
		{"wrong secret token", textUpdate, http.Header{HeaderSecretToken: {"tg-hook-wrong"}}, http.StatusForbidden},
		{"secret token with a suffix", textUpdate, http.Header{HeaderSecretToken: {testSecret + "x"}}, http.StatusForbidden},
		{"body over max_body_bytes", `{"update_id":100,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"text":"` + strings.Repeat("a", 600) + `"}}`, signed(), http.StatusRequestEntityTooLarge},
		{"not JSON", `update 100`, signed(), http.StatusBadRequest},
		{"no update_id", `{"message":{"message_id":1}}`, signed(), http.StatusBadRequest},
		{"message without chat", `{"update_id":5,"message":{"message_id":1,"date":1,"text":"x"}}`, signed(), http.StatusBadRequest},
		{"private message with nothing in it", `{"update_id":6,"message":{"message_id":1,"date":1,"from":{"id":42,"first_name":"A"},"chat":{"id":42,"type":"private"},"text":""}}`, signed(), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.messageCount()
			rec := e.post(tt.body, tt.header)
			if rec.Code != tt.want {
				t.Errorf("status = %d (%s), want %d", rec.Code, rec.Body, tt.want)
			}
			if tt.want != http.StatusOK && e.messageCount() != before {
				t.Errorf("a refused request was stored")
			}
		})
	}
}

func TestWebhook_GET_is_405_and_a_polling_bot_has_no_webhook(t *testing.T) {
	e := newEnv(t, ModeWebhook)
	req := httptest.NewRequest(http.MethodGet, "/webhooks/telegram", nil)
	req.Header.Set(HeaderSecretToken, testSecret)
	rec := httptest.NewRecorder()
	e.ad.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: status = %d, want 405", rec.Code)
	}
	p := newEnv(t, ModePolling)
	if rec := p.post(textUpdate, signed()); rec.Code != http.StatusNotFound {
		t.Errorf("polling bot: status = %d, want 404", rec.Code)
	}
}

func TestWebhook_store_failure_is_503_so_Telegram_retries(t *testing.T) {
	e := newEnv(t, ModeWebhook)
	e.store.Close()
	if rec := e.post(textUpdate, signed()); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d (%s), want 503", rec.Code, rec.Body)
	}
}

func TestWebhook_file_server_failure_is_503_then_the_retry_is_stored(t *testing.T) {
	bot := newFakeBot(t)
	e := newEnvWith(t, bot, bot.config(ModeWebhook), t.TempDir())
	bot.addFile("P1", sample("image/jpeg", 2000))
	bot.queue("getFile", 502, `<html><body>502 Bad Gateway</body></html>`)
	if rec := e.post(photoUpdate, signed()); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("first delivery: status = %d (%s), want 503", rec.Code, rec.Body)
	}
	if _, ok := e.message("42:2"); ok {
		t.Fatal("the message was stored although its photo was not")
	}
	if rec := e.post(photoUpdate, signed()); rec.Code != http.StatusOK {
		t.Fatalf("retry: status = %d (%s), want 200", rec.Code, rec.Body)
	}
	m, ok := e.message("42:2")
	if !ok || len(m.Attachments) != 1 || m.Attachments[0].MIMEType != "image/jpeg" || m.Attachments[0].Size != 2000 {
		t.Fatalf("stored = %+v, want the photo", m)
	}
}

func TestWebhook_file_Telegram_refuses_keeps_the_message_with_a_note(t *testing.T) {
	bot := newFakeBot(t)
	e := newEnvWith(t, bot, bot.config(ModeWebhook), t.TempDir())
	bot.queue("getFile", 400, `{"ok":false,"error_code":400,"description":"Bad Request: file is too big"}`)
	if rec := e.post(photoUpdate, signed()); rec.Code != http.StatusOK {
		t.Fatalf("status = %d (%s), want 200", rec.Code, rec.Body)
	}
	m, ok := e.message("42:2")
	want := "[image photo.jpg could not be downloaded: Bad Request: file is too big]"
	if !ok || m.Text != want || len(m.Attachments) != 0 {
		t.Fatalf("stored = %+v, want text %q and no attachment", m, want)
	}
}

func TestWebhook_edit_of_a_message_the_hub_never_had_is_acknowledged(t *testing.T) {
	e := newEnv(t, ModeWebhook)
	body := privateMsg("edited_message", `,"edit_date":1741857100,"text":"changed"`)
	if rec := e.post(body, signed()); rec.Code != http.StatusOK {
		t.Errorf("status = %d (%s), want 200: Telegram would retry it forever", rec.Code, rec.Body)
	}
}

func TestRun_webhook_mode_registers_the_webhook_with_its_secret_token(t *testing.T) {
	bot := newFakeBot(t)
	e := newEnvWith(t, bot, bot.config(ModeWebhook), t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.ad.Run(ctx) }()
	waitFor(t, "setWebhook", func() bool { return len(bot.callsOf("setWebhook")) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	c := bot.callsOf("setWebhook")[0]
	if c.Params.Get("url") != "https://hub.example.com/webhooks/telegram" || c.Params.Get("secret_token") != testSecret {
		t.Errorf("setWebhook params = %v, want the webhook URL and secret_token %q", c.Params, testSecret)
	}
	if n := len(bot.callsOf("getMe")); n != 1 {
		t.Errorf("getMe calls = %d, want 1 before setWebhook", n)
	}
}

func TestRun_token_Telegram_refuses_ends_Run_with_the_reason(t *testing.T) {
	bot := newFakeBot(t)
	e := newEnvWith(t, bot, bot.config(ModePolling), t.TempDir())
	bot.queue("getMe", 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := e.ad.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "Unauthorized") || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run = %v, want the Unauthorized refusal", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("the error %q shows the bot token", err)
	}
}

func TestRun_network_failure_never_shows_the_token(t *testing.T) {
	bot := newFakeBot(t)
	cfg := bot.config(ModePolling)
	cfg.APIURL = "http://127.0.0.1:1" // nothing listens
	e := newEnvWith(t, bot, cfg, t.TempDir())
	_, err := e.ad.api.request(context.Background(), "getMe", nil)
	if err == nil || strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "AAHtest") {
		t.Errorf("error = %v, want a network error without the token", err)
	}
}

// waitFor polls cond until it holds, for at most 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
