package meta

import (
	"errors"
	"net/http"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

func TestParseGraphError_classifies_and_words_the_answer(t *testing.T) {
	rate := map[int]bool{613: true}
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
		want      string
	}{
		{name: "refusal", status: 400, body: `{"error":{"message":"(#100) No matching user found","type":"OAuthException","code":100,"error_subcode":2018001,"fbtrace_id":"A1"}}`,
			permanent: true, want: "Messenger refused the message: (#100) No matching user found (code 100, subcode 2018001)"},
		{name: "details", status: 400, body: `{"error":{"message":"Invalid parameter","code":100,"error_data":{"details":"Template name does not exist"}}}`,
			permanent: true, want: "Messenger refused the message: Invalid parameter (code 100): Template name does not exist"},
		{name: "rate-limit code", status: 400, body: `{"error":{"message":"Calls to this api have exceeded the rate limit.","code":613}}`,
			want: "Messenger answered 400: Calls to this api have exceeded the rate limit. (code 613)"},
		{name: "429 without JSON", status: http.StatusTooManyRequests, body: `slow down`, want: "Messenger answered 429: Too Many Requests"},
		{name: "transient", status: 400, body: `{"error":{"message":"try again","code":1,"is_transient":true}}`, want: "Messenger answered 400: try again (code 1)"},
		{name: "server error", status: 502, body: ``, want: "Messenger answered 502: Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ParseGraphError("Messenger", tt.status, []byte(tt.body), rate)
			if core.IsPermanent(err) != tt.permanent {
				t.Errorf("permanent = %v, want %v", core.IsPermanent(err), tt.permanent)
			}
			var ge *GraphError
			if !errors.As(err, &ge) {
				t.Fatalf("err = %#v, want a *GraphError", err)
			}
			if ge.Error() != tt.want {
				t.Errorf("got %q, want %q", ge.Error(), tt.want)
			}
		})
	}
}
