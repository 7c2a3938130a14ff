package sms

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func statusForm(sid, status, code string) map[string]string {
	f := map[string]string{
		"MessageSid": sid, "SmsSid": sid, "AccountSid": testSID, "MessagingServiceSid": testService,
		"From": "+16465550100", "To": customer, "MessageStatus": status, "SmsStatus": status, "ApiVersion": "2010-04-01",
	}
	if code != "" {
		f["ErrorCode"] = code
	}
	return f
}

func TestStatus_callbacks_map_to_delivered_failed_with_the_error_code_or_nothing(t *testing.T) {
	tests := []struct {
		status, code string
		want         *core.Inbound // nil: nothing reaches the hub
	}{
		{"queued", "", nil},
		{"sending", "", nil},
		{"sent", "", nil},
		{"delivered", "", &core.Inbound{Kind: core.KindDelivered}},
		{"read", "", &core.Inbound{Kind: core.KindRead}},
		{"undelivered", "30003", &core.Inbound{Kind: core.KindFailed, Error: "Twilio reported the SMS as undelivered: error 30003, unreachable destination handset"}},
		{"failed", "30007", &core.Inbound{Kind: core.KindFailed, Error: "Twilio reported the SMS as failed: error 30007, message filtered by the carrier"}},
		{"failed", "12345", &core.Inbound{Kind: core.KindFailed, Error: "Twilio reported the SMS as failed: error 12345"}},
		{"failed", "", &core.Inbound{Kind: core.KindFailed, Error: "Twilio reported the SMS as failed"}},
		{"receiving", "", nil}, // not a state of an outgoing message: logged, skipped
	}
	for _, tt := range tests {
		t.Run(tt.status+tt.code, func(t *testing.T) {
			r := newRig(t, Config{})
			const sid = "SM0000000000000000000000000000000a"
			r.recv.know(sid)
			resp := r.postForm(t, routeStatus, statusForm(sid, tt.status, tt.code), testToken)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("answered %d, want 200", resp.StatusCode)
			}
			got := r.recv.received()
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("hub received %+v, want nothing", got)
				}
				return
			}
			want := core.Inbound{Channel: "sms", ChannelType: Type, Kind: tt.want.Kind, Target: sid, Error: tt.want.Error}
			if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Fatalf("hub received %+v, want %+v", got, want)
			}
		})
	}
}

func TestStatus_unsigned_callback_is_401_and_changes_nothing(t *testing.T) {
	r := newRig(t, Config{})
	r.recv.know("SM1")
	if resp := r.postForm(t, routeStatus, statusForm("SM1", "failed", "30003"), ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("answered %d, want 401", resp.StatusCode)
	}
	if resp := r.postForm(t, routeStatus, statusForm("SM1", "failed", "30003"), "another-token"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("answered %d, want 403", resp.StatusCode)
	}
	if n := len(r.recv.received()); n != 0 {
		t.Fatalf("hub received %d events", n)
	}
}

func TestStatus_a_report_that_overtakes_the_send_record_waits_for_it(t *testing.T) {
	r := newRig(t, Config{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		r.recv.know("SM_late")
	}()
	if resp := r.postForm(t, routeStatus, statusForm("SM_late", "delivered", ""), testToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("answered %d, want 200", resp.StatusCode)
	}
	if got := r.recv.received(); len(got) != 1 || got[0].Kind != core.KindDelivered {
		t.Fatalf("hub received %+v, want the delivery once the message was known", got)
	}
}

func TestStatus_for_a_message_the_hub_never_sent_is_acknowledged(t *testing.T) {
	r := newRig(t, Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := r.a.receiveStatus(ctx, statusReport{ID: "SM_unknown", Status: "delivered"}); err != nil {
		t.Fatalf("receiveStatus = %v, want nil (logged)", err)
	}
	if d := time.Since(start); d < statusWait {
		t.Errorf("gave up after %s, want to wait %s for a late send record", d, statusWait)
	}
}

func TestStatus_undelivered_21610_marks_the_recipient_opted_out(t *testing.T) {
	r := newRig(t, Config{})
	r.recv.know("SM1")
	if resp := r.postForm(t, routeStatus, statusForm("SM1", "undelivered", "21610"), testToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("answered %d, want 200", resp.StatusCode)
	}
	if err := r.a.CheckSend(t.Context(), core.SendCheck{To: core.ContactRef{ID: customer}, Text: "x"}); err == nil {
		t.Fatal("CheckSend passed for a number Twilio reported as unsubscribed")
	}
}
