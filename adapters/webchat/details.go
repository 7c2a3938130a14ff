package webchat

import (
	"context"
	"net/url"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// Custom contact fields the web chat records for the contact panel.
const (
	FieldCurrentPage = "current_page"
	FieldPageTitle   = "page_title"
	FieldPageHistory = "page_history" // one URL a line, oldest first
	FieldReferrer    = "referrer"
	FieldBrowser     = "browser"
	FieldOS          = "os"
	FieldDevice      = "device"
	pagesKept        = 20
)

// pageView records the page a visitor is on: remembered while they have no
// contact yet, written to their contact's fields once they do, with the
// referrer that brought them to the site. Nothing is recorded in privacy
// mode.
func (s *session) pageView(ctx context.Context, p PageView) {
	a := s.a
	if a.cfg.Features.PrivacyMode {
		return
	}
	if p.URL != "" {
		s.page = p
	}
	a.reg.notePage(s.visitor, p.URL, pagesKept)
	if s.contactID == "" {
		return
	}
	pages := a.reg.takePages(s.visitor)
	fields := uaFields(s.ua)
	if s.page.URL != "" {
		fields[FieldCurrentPage] = s.page.URL
		fields[FieldPageTitle] = s.page.Title
	}
	if externalReferrer(s.referrer, s.page.URL) {
		fields[FieldReferrer] = s.referrer
	}
	s.referrer = "" // recorded once per socket
	// In line, not in the background: the socket's page views are then
	// recorded in the order they happened.
	c, err := a.hub().Store().Contact(ctx, s.contactID)
	if err == nil {
		fields[FieldPageHistory] = mergePages(c.Fields[FieldPageHistory], pages, pagesKept)
		_, err = a.hub().UpdateContactDetails(ctx, s.contactID, core.ContactDetails{Fields: fields})
	}
	if err != nil {
		a.log.Warn("page view not recorded", "visitor", s.visitor, "err", err)
	}
}

// mergePages appends pages not recorded yet to the recorded history,
// without repeating the page the history ends with, keeping the last keep.
func mergePages(recorded string, pages []string, keep int) string {
	var all []string
	if recorded != "" {
		all = strings.Split(recorded, "\n")
	}
	for _, p := range pages {
		if len(all) == 0 || all[len(all)-1] != p {
			all = append(all, p)
		}
	}
	if len(all) > keep {
		all = all[len(all)-keep:]
	}
	out := strings.Join(all, "\n")
	for len(out) > core.MaxFieldValueLen && len(all) > 1 {
		all = all[1:]
		out = strings.Join(all, "\n")
	}
	if len(out) > core.MaxFieldValueLen {
		return ""
	}
	return out
}

// externalReferrer reports whether ref is another site than page's.
func externalReferrer(ref, page string) bool {
	if ref == "" {
		return false
	}
	r, err1 := url.Parse(ref)
	p, err2 := url.Parse(page)
	return err1 == nil && (err2 != nil || !strings.EqualFold(r.Host, p.Host))
}

func uaFields(ua string) map[string]string {
	b, os, device := ParseUserAgent(ua)
	f := map[string]string{}
	if b != "" {
		f[FieldBrowser] = b
	}
	if os != "" {
		f[FieldOS] = os
	}
	if device != "" {
		f[FieldDevice] = device
	}
	return f
}
