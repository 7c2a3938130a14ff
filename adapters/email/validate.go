package email

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
)

// checkServer checks a server address and its TLS mode: no encryption is
// allowed only to a loopback address.
func checkServer(addr, mode string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("addr: %w", err)
	}
	switch mode {
	case TLSImplicit, TLSStart:
	case TLSNone:
		if !isLoopback(host) {
			return fmt.Errorf("tls: none is allowed only for loopback addresses, not %q; use tls or starttls", host)
		}
	default:
		return fmt.Errorf("tls: %q is not tls, starttls or none", mode)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkAddress(s string) error {
	if s == "" {
		return errors.New("required")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Errorf("%q is not a bare address such as support@example.com", s)
	}
	return nil
}

func validSenderPattern(s string) bool {
	if d, ok := strings.CutPrefix(s, "@"); ok {
		return validDomain(d)
	}
	return checkAddress(s) == nil
}

// validDomain accepts dot-separated labels of letters, digits and hyphens.
func validDomain(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

// domainOf returns the part of an address after its last @, lower-cased.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(addr[i+1:], ">"))
}
