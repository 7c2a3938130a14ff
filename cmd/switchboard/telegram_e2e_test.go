package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

const (
	tgToken  = "7012345678:AAHtestTokenForSwitchboard_abcdefghij"
	tgSecret = "tg-hook-7Qm2Rx9Lp4Vz"
)

// fakeTelegram is the Bot API on loopback: form requests to
// /bot<token>/<method>, answered {"ok":true,"result":...} as Telegram does.
type fakeTelegram struct {
	*httptest.Server
	mu    sync.Mutex
	calls map[string][]url.Values
	next  int
}

func newFakeTelegram(t testing.TB) *fakeTelegram {
	f := &fakeTelegram{calls: map[string][]url.Values{}, next: 500}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method, ok := strings.CutPrefix(r.URL.Path, "/bot"+tgToken+"/")
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
			return
		}
		_ = r.ParseForm()
		f.mu.Lock()
		f.calls[method] = append(f.calls[method], r.PostForm)
		f.next++
		id := f.next
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch method {
		case "getMe":
			io.WriteString(w, `{"ok":true,"result":{"id":7012345678,"is_bot":true,"first_name":"Larkspur Help","username":"LarkspurHelpBot"}}`)
		case "sendMessage":
			fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":1741857600,"chat":{"id":%s,"type":"private"},"text":%q}}`,
				id, r.PostForm.Get("chat_id"), r.PostForm.Get("text"))
		default:
			io.WriteString(w, `{"ok":true,"result":true}`)
		}
	}))
	return f
}

func (f *fakeTelegram) callsOf(method string) []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.calls[method]...)
}

func telegramYAML(apiURL string) string {
	return `listen: 127.0.0.1:0
data_dir: %DATA%
public_url: https://hub.example.com
channels:
  - name: support
    type: telegram
    token: "` + tgToken + `"
    mode: webhook
    secret_token: ` + tgSecret + `
    api_url: ` + apiURL + `
`
}

// postUpdate posts a Telegram update to the hub's webhook for the bot.
func postUpdate(t testing.TB, client *http.Client, base, secret, body string) int {
	req, _ := http.NewRequest("POST", base+"/webhooks/support", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := client.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func tgUpdate(updateID, messageID int, user int64, text string) string {
	b, _ := json.Marshal(map[string]any{"update_id": updateID, "message": map[string]any{
		"message_id": messageID, "date": 1741857000, "text": text,
		"from": map[string]any{"id": user, "is_bot": false, "first_name": "Mira", "last_name": "Okafor"},
		"chat": map[string]any{"id": user, "first_name": "Mira", "type": "private"},
	}})
	return string(b)
}

func TestTelegram_webhook_update_becomes_a_conversation_and_the_reply_reaches_sendMessage(t *testing.T) {
	bot := newFakeTelegram(t)
	defer bot.Close()
	h := startHub(t, telegramYAML(bot.URL))
	ann := h.operator("ann@example.com", core.RoleOperator)

	waitFor(t, "setWebhook", func() bool { return len(bot.callsOf("setWebhook")) == 1 })
	if p := bot.callsOf("setWebhook")[0]; p.Get("url") != "https://hub.example.com/webhooks/support" || p.Get("secret_token") != tgSecret {
		t.Fatalf("setWebhook = %v, want the public webhook URL with the secret token", p)
	}

	if got := postUpdate(t, http.DefaultClient, h.base, "tg-hook-forged", tgUpdate(1, 4417, 710000101, "forged")); got != http.StatusForbidden {
		t.Fatalf("forged update: status %d, want 403", got)
	}
	if got := postUpdate(t, http.DefaultClient, h.base, tgSecret, tgUpdate(2, 4418, 710000101, "Is the 40L pack back in stock?")); got != http.StatusOK {
		t.Fatalf("update: status %d, want 200", got)
	}
	convs := ann.view("unassigned")
	if len(convs) != 1 {
		t.Fatalf("unassigned = %+v, want the Telegram conversation", convs)
	}
	conv := convs[0].ID
	msgs := ann.messages(conv)
	if len(msgs) != 1 || msgs[0].Text != "Is the 40L pack back in stock?" || msgs[0].Direction != "in" {
		t.Fatalf("messages = %+v, want only the genuine update", msgs)
	}

	ann.do("POST", "/api/v1/conversations/"+conv+"/assign", map[string]any{"operator": "me"}, http.StatusOK, nil)
	var reply apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "Yes, since Monday."}, http.StatusCreated, &reply)
	waitFor(t, "sendMessage", func() bool { return len(bot.callsOf("sendMessage")) == 1 })
	if p := bot.callsOf("sendMessage")[0]; p.Get("chat_id") != "710000101" || p.Get("text") != "Yes, since Monday." {
		t.Fatalf("sendMessage = %v, want the reply to chat 710000101", p)
	}
	waitFor(t, "the reply to show as sent", func() bool {
		for _, m := range ann.messages(conv) {
			if m.ID == reply.ID {
				return m.Status == "sent"
			}
		}
		return false
	})
}
