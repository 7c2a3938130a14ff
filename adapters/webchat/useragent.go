package webchat

import (
	"regexp"
	"strings"
)

// Device types ParseUserAgent reports.
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceBot     = "bot"
)

// browsers are tried in order: Edge and Opera say "Chrome" too, Chrome says
// "Safari".
var browsers = []struct {
	name string
	re   *regexp.Regexp
}{
	{"Edge", regexp.MustCompile(`Edg(?:e|A|iOS)?/(\d+)`)},
	{"Opera", regexp.MustCompile(`(?:OPR|Opera)/(\d+)`)},
	{"Samsung Internet", regexp.MustCompile(`SamsungBrowser/(\d+)`)},
	{"Firefox", regexp.MustCompile(`(?:Firefox|FxiOS)/(\d+)`)},
	{"Chrome", regexp.MustCompile(`(?:Chrome|CriOS)/(\d+)`)},
	{"Safari", regexp.MustCompile(`Version/(\d+)(?:\.\d+)*.*Safari/`)},
}

var (
	androidRE = regexp.MustCompile(`Android (\d+(?:\.\d+)?)`)
	iosRE     = regexp.MustCompile(`(?:iPhone|CPU) OS (\d+)(?:_(\d+))?`)
	macRE     = regexp.MustCompile(`Mac OS X (\d+)[_.](\d+)`)
	windowsRE = regexp.MustCompile(`Windows NT (\d+\.\d+)`)
	botRE     = regexp.MustCompile(`(?i)bot|crawler|spider|headless|curl|wget|python-requests|go-http-client`)
)

var windowsVersions = map[string]string{"10.0": "10/11", "6.3": "8.1", "6.2": "8", "6.1": "7"}

// ParseUserAgent reads the browser ("Firefox 140"), the operating system
// ("Android 14") and the device type (desktop, mobile, tablet, bot) from a
// User-Agent header, for the contact panel. Parts it cannot tell are "".
func ParseUserAgent(ua string) (browser, os, device string) {
	if len(ua) > 1024 {
		ua = ua[:1024]
	}
	for _, b := range browsers {
		if m := b.re.FindStringSubmatch(ua); m != nil {
			browser = b.name + " " + m[1]
			break
		}
	}
	switch {
	case strings.Contains(ua, "Android"):
		os = "Android"
		if m := androidRE.FindStringSubmatch(ua); m != nil {
			os += " " + m[1]
		}
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad") || strings.Contains(ua, "iPod"):
		os = "iOS"
		if strings.Contains(ua, "iPad") {
			os = "iPadOS"
		}
		if m := iosRE.FindStringSubmatch(ua); m != nil {
			os += " " + m[1]
			if m[2] != "" {
				os += "." + m[2]
			}
		}
	case strings.Contains(ua, "Windows"):
		os = "Windows"
		if m := windowsRE.FindStringSubmatch(ua); m != nil {
			if v, ok := windowsVersions[m[1]]; ok {
				os += " " + v
			}
		}
	case strings.Contains(ua, "CrOS"):
		os = "ChromeOS"
	case strings.Contains(ua, "Mac OS X") || strings.Contains(ua, "Macintosh"):
		os = "macOS"
		if m := macRE.FindStringSubmatch(ua); m != nil {
			os += " " + m[1] + "." + m[2]
		}
	case strings.Contains(ua, "Linux"):
		os = "Linux"
	}
	switch {
	case ua == "":
	case botRE.MatchString(ua):
		device = DeviceBot
	case strings.Contains(ua, "iPad") || strings.Contains(ua, "Tablet") ||
		(strings.Contains(ua, "Android") && !strings.Contains(ua, "Mobile")):
		device = DeviceTablet
	case strings.Contains(ua, "Mobile") || strings.Contains(ua, "iPhone"):
		device = DeviceMobile
	default:
		device = DeviceDesktop
	}
	return browser, os, device
}
