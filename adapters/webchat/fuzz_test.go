package webchat

import (
	"strings"
	"testing"
)

// FuzzVisitorToken feeds arbitrary tokens and signed grants, as a widget
// could send them, to the checks that derive a visitor from them: nothing
// panics, and nothing forged is accepted.
func FuzzVisitorToken(f *testing.F) {
	k := deriveKeys(testSecret)
	f.Add(k.visitorToken("web", "v_abc"))
	f.Add(signed(k.upload, uploadGrant{Visitor: "v_abc", Blob: "ref", Name: "a.png", Type: "image/png", Size: 3, Expires: 1}))
	f.Add(signed(k.transfer, transferGrant{Contact: "ctc_1", Expires: 1}))
	f.Add("djE.")
	f.Add(".")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		if v := k.visitorOf("web", token); v != "" && token != k.visitorToken("web", v) {
			t.Fatalf("token %q accepted for %q but is not the one issued", token, v)
		}
		var g uploadGrant
		if openSigned(k.upload, token, &g) == nil {
			if p, _, _ := strings.Cut(token, "."); token != p+"."+b64.EncodeToString(mac(k.upload, p)[:18]) {
				t.Fatalf("grant %q accepted with a signature not ours", token)
			}
		}
		_ = k.fileSigOK("msg", "ref", token)
		_ = k.identityOK("user", token)
	})
}

// FuzzParseUserAgent checks that no User-Agent header makes the parser
// panic or report an unknown device type.
func FuzzParseUserAgent(f *testing.F) {
	f.Add("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36")
	f.Add("Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1")
	f.Add("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0")
	f.Add("curl/8.5.0")
	f.Add("")
	f.Fuzz(func(t *testing.T, ua string) {
		_, _, device := ParseUserAgent(ua)
		switch device {
		case "", DeviceDesktop, DeviceMobile, DeviceTablet, DeviceBot:
		default:
			t.Fatalf("device %q", device)
		}
	})
}
