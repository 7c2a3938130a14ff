package sms

import (
	"errors"
	"net/http"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

func inboundForm(sid, from, body string) map[string]string {
	return map[string]string{
		"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": testSID, "From": from, "To": "+16465550100",
		"Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
	}
}

func TestOptOut_STOP_refuses_every_send_until_START(t *testing.T) {
	twilio := newFakeTwilio(t)
	r := newRig(t, Config{APIURL: twilio.URL})
	check := func() error {
		return r.a.CheckSend(t.Context(), core.SendCheck{To: core.ContactRef{ID: customer}, Text: "Can I help?"})
	}
	stop := inboundForm("SM01", customer, "Stop")
	stop["OptOutType"] = "STOP"
	if resp := r.postForm(t, routeInbound, stop, testToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("STOP answered %d, want 200", resp.StatusCode)
	}
	if n := len(r.recv.received()); n != 0 {
		t.Fatalf("STOP reached the hub as %d messages, want none", n)
	}

	err := check()
	var ce *core.CapabilityError
	want := "+14155550123 opted out of SMS by texting STOP on 16 Mar 2025; no message can be sent to this number until they text START"
	if !errors.As(err, &ce) || err.Error() != want || ce.Capability != "opt_out" {
		t.Fatalf("CheckSend = %v, want the refusal %q", err, want)
	}
	_, err = r.a.Send(t.Context(), outbound("msg_1", "queued before the STOP"))
	if !core.IsPermanent(err) || !errors.As(err, &ce) {
		t.Fatalf("Send = %v, want a permanent refusal", err)
	}
	if n := len(twilio.received()); n != 0 {
		t.Fatalf("Twilio received %d messages for an opted-out number", n)
	}

	if resp := r.postForm(t, routeInbound, inboundForm("SM02", customer, "START"), testToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("START answered %d, want 200", resp.StatusCode)
	}
	if err := check(); err != nil {
		t.Fatalf("CheckSend after START = %v, want nil", err)
	}
	if _, err := r.a.Send(t.Context(), outbound("msg_2", "welcome back")); err != nil {
		t.Fatalf("Send after START: %v", err)
	}
}

func TestOptOut_a_sentence_with_stop_in_it_is_an_ordinary_message(t *testing.T) {
	r := newRig(t, Config{})
	if resp := r.postForm(t, routeInbound, inboundForm("SM01", customer, "Please stop the delivery, I moved"), testToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("answered %d, want 200", resp.StatusCode)
	}
	if n := len(r.recv.received()); n != 1 {
		t.Fatalf("hub received %d messages, want 1", n)
	}
	if err := r.a.CheckSend(t.Context(), core.SendCheck{To: core.ContactRef{ID: customer}, Text: "ok"}); err != nil {
		t.Fatalf("CheckSend = %v, want nil", err)
	}
}

func TestOptOut_Twilio_error_21610_on_send_records_the_opt_out(t *testing.T) {
	twilio := newFakeTwilio(t)
	twilio.script(twilioAnswer{status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient"})
	r := newRig(t, Config{APIURL: twilio.URL})
	_, err := r.a.Send(t.Context(), outbound("msg_1", "hello"))
	if !core.IsPermanent(err) {
		t.Fatalf("Send = %v, want permanent", err)
	}
	err = r.a.CheckSend(t.Context(), core.SendCheck{To: core.ContactRef{ID: customer}, Text: "hello again"})
	want := "+14155550123 opted out of SMS (Twilio refused the message: error 21610, Attempt to send to unsubscribed recipient) on 16 Mar 2025; no message can be sent to this number until they text START"
	if err == nil || err.Error() != want {
		t.Fatalf("CheckSend = %v, want %q", err, want)
	}
}
