package whatsapp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCloudHandshake_echoes_the_challenge_only_for_the_verify_token(t *testing.T) {
	e := newCloudEnv(t, nil)
	tests := []struct {
		name   string
		query  url.Values
		status int
	}{
		{"subscribe with the token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1158201444"}}, 200},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1"}}, 403},
		{"other mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {testVerifyToken}, "hub.challenge": {"1"}}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.serve(httptest.NewRequest(http.MethodGet, "/webhooks/whatsapp?"+tc.query.Encode(), nil))
			if rec.Code != tc.status || (tc.status == 200 && rec.Body.String() != "1158201444") {
				t.Fatalf("got %d %q, want %d (and the challenge)", rec.Code, rec.Body, tc.status)
			}
		})
	}
}

func TestCloudWebhook_bad_or_missing_signature_and_oversize_are_rejected_and_not_ingested(t *testing.T) {
	e := newCloudEnv(t, func(c *Config) { c.MaxBodyBytes = 2048 })
	body := waBody(kemal, textMessage("wamid.rej1", "cancel all my orders", 1741864200), "")
	big := waBody(kemal, textMessage("wamid.big1", strings.Repeat("a", 3000), 1741864200), "")
	tests := []struct {
		name   string
		body   []byte
		sig    string
		status int
	}{
		{"missing signature", body, "", 401},
		{"signed with another secret", body, "sha256=" + strings.Repeat("ab", 32), 403},
		{"signature of another body", body, signBody(big), 403},
		{"oversize", big, signBody(big), 413},
		{"malformed but signed", []byte(`{"object":"whatsapp_business_account","entry":{"x":1}}`), "", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sig := tc.sig
			if tc.status == 400 {
				sig = signBody(tc.body)
			}
			if rec := e.post(tc.body, sig); rec.Code != tc.status {
				t.Fatalf("status = %d (%s), want %d", rec.Code, rec.Body, tc.status)
			}
			if n := e.rec.count(); n != 0 {
				t.Fatalf("%d events reached the hub, want none", n)
			}
		})
	}
}

func TestCloudWebhook_storage_failure_answers_503_and_the_redelivery_stores_once(t *testing.T) {
	e := newCloudEnv(t, nil)
	body := waBody(kemal, textMessage("wamid.retry1", "are you there?", 1741863600), "")
	e.rec.failWith(errors.New("database is locked"))
	if rec := e.post(body); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503 so that Meta retries", rec.Code)
	}
	e.rec.failWith(nil)
	for range 2 { // Meta's retry, then a duplicate redelivery
		if rec := e.post(body); rec.Code != http.StatusOK {
			t.Fatalf("redelivery status = %d (%s), want 200", rec.Code, rec.Body)
		}
	}
	m, err := e.store.MessageByProviderID(context.Background(), testChannel, "wamid.retry1")
	if err != nil {
		t.Fatal(err)
	}
	msgs, _ := e.store.Messages(context.Background(), m.ConversationID)
	if len(msgs) != 1 || msgs[0].Text != "are you there?" {
		t.Fatalf("conversation holds %+v, want the one message", msgs)
	}
}

func TestCloudWebhook_other_numbers_objects_and_fields_are_acknowledged_and_skipped(t *testing.T) {
	e := newCloudEnv(t, nil)
	other := strings.Replace(string(waBody(kemal, textMessage("wamid.other1", "hi", 1741863600), "")), testPhoneNumberID, "999999999999999", 1)
	for _, body := range []string{
		other,
		`{"object":"page","entry":[]}`,
		`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"message_template_status_update","value":{"event":"APPROVED"}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[]}`,
	} {
		if rec := e.post([]byte(body)); rec.Code != http.StatusOK {
			t.Errorf("%s: status = %d, want 200", body, rec.Code)
		}
	}
	if n := e.rec.count(); n != 0 {
		t.Fatalf("%d events reached the hub, want none", n)
	}
}

func TestCloudWebhook_media_that_cannot_be_fetched_leaves_a_placeholder(t *testing.T) {
	e := newCloudEnv(t, nil)
	msg := `{"from":"12065550131","id":"wamid.gone1","timestamp":"1741863640","type":"image","image":{"caption":"see","mime_type":"image/jpeg","id":"404404"}}`
	if rec := e.post(waBody(kemal, msg, "")); rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	m, err := e.store.MessageByProviderID(context.Background(), testChannel, "wamid.gone1")
	if err != nil {
		t.Fatal(err)
	}
	const want = "see\n[WhatsApp: the contact sent an image that could not be downloaded (Meta no longer has the file: (#100) Invalid parameter)]"
	if m.Text != want || len(m.Attachments) != 0 {
		t.Fatalf("stored %q with %d attachments, want %q", m.Text, len(m.Attachments), want)
	}
}

func TestCloudWebhook_unsupported_and_structured_content_is_stored_readably(t *testing.T) {
	e := newCloudEnv(t, nil)
	tests := []struct {
		id, msg, want string
	}{
		{"wamid.u1", `{"from":"12065550131","id":"wamid.u1","timestamp":"1741863700","type":"unsupported","errors":[{"code":131051,"title":"Message type unknown","message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}]}`,
			"[WhatsApp: the contact sent content that cannot be shown here (unsupported: Message type unknown)]"},
		{"wamid.u2", `{"from":"12065550131","id":"wamid.u2","timestamp":"1741863701","type":"location","location":{"latitude":47.6062,"longitude":-122.3321,"name":"Pike Place","address":"85 Pike St"}}`,
			"📍 Location: Pike Place, 85 Pike St\nhttps://maps.google.com/?q=47.6062,-122.3321"},
		{"wamid.u3", `{"from":"12065550131","id":"wamid.u3","timestamp":"1741863702","type":"contacts","contacts":[{"name":{"formatted_name":"Ana Souza"},"phones":[{"phone":"+1 503 555 0164","wa_id":"15035550164"}]}]}`,
			"👤 Shared contact: Ana Souza, +1 503 555 0164"},
		{"wamid.u4", `{"from":"12065550131","id":"wamid.u4","timestamp":"1741863703","type":"order","order":{"catalog_id":"1"}}`,
			"[WhatsApp: the contact sent content that cannot be shown here (order)]"},
	}
	for _, tc := range tests {
		if rec := e.post(waBody(kemal, tc.msg, "")); rec.Code != http.StatusOK {
			t.Fatalf("%s: status = %d", tc.id, rec.Code)
		}
		m, err := e.store.MessageByProviderID(context.Background(), testChannel, tc.id)
		if err != nil || m.Text != tc.want {
			t.Errorf("%s: stored %q (%v), want %q", tc.id, m.Text, err, tc.want)
		}
	}
}
