package email

import (
	"net/url"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// skipped are elements whose content is never text or display: dropped with
// everything inside.
var skipped = map[string]bool{
	"script": true, "style": true, "head": true, "title": true, "noscript": true, "template": true,
	"iframe": true, "object": true, "embed": true, "svg": true, "math": true, "select": true,
	"textarea": true, "button": true,
}

// breaks is how many line breaks an element starts and ends with in text.
var breaks = map[string]int{
	"p": 2, "h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2, "blockquote": 2, "pre": 2, "table": 2,
	"ul": 2, "ol": 2, "dl": 2,
	"div": 1, "br": 1, "li": 1, "tr": 1, "hr": 1, "section": 1, "article": 1, "header": 1,
	"footer": 1, "address": 1, "dt": 1, "dd": 1, "center": 1, "caption": 1,
}

// htmlToText renders an HTML body as readable plain text: tags removed,
// entities decoded, scripts and styles dropped, blocks on lines of their
// own, list items marked "- ", and links followed by their address when it
// is not already the link text.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	w := &textWriter{}
	skip, pre := 0, 0
	var hrefs []string
	var linkStart []int
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return w.String()
		}
		tok := z.Token()
		name := tok.Data
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if skipped[name] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 {
				continue
			}
			w.newlines(breaks[name])
			switch name {
			case "li":
				w.text("- ")
			case "td", "th":
				w.space()
			case "pre":
				pre++
			case "a":
				hrefs = append(hrefs, attr(tok, "href"))
				linkStart = append(linkStart, w.b.Len())
			}
		case html.EndTagToken:
			if skipped[name] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch name {
			case "pre":
				if pre > 0 {
					pre--
				}
			case "a":
				if n := len(hrefs); n > 0 {
					w.link(hrefs[n-1], linkStart[n-1])
					hrefs, linkStart = hrefs[:n-1], linkStart[:n-1]
				}
			}
			w.newlines(breaks[name])
		case html.TextToken:
			if skip > 0 {
				continue
			}
			if pre > 0 {
				w.raw(tok.Data)
			} else {
				w.text(tok.Data)
			}
		}
	}
}

// textWriter collapses whitespace and line breaks as a browser would.
type textWriter struct {
	b         strings.Builder
	nl        int  // line breaks owed before the next text
	sp        bool // a space owed before the next text
	lineStart bool
}

func (w *textWriter) newlines(n int) {
	if n == 0 {
		return
	}
	if n > w.nl {
		w.nl = n
	}
	w.sp = false
}

func (w *textWriter) space() { w.sp = true }

func (w *textWriter) flush() {
	if w.b.Len() == 0 {
		w.nl, w.lineStart = 0, true
	}
	if w.nl > 0 {
		w.b.WriteString(strings.Repeat("\n", min(w.nl, 2)))
		w.nl, w.sp, w.lineStart = 0, false, true
	}
	if w.sp && !w.lineStart {
		w.b.WriteByte(' ')
	}
	w.sp = false
}

func (w *textWriter) text(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			w.sp = true
			continue
		}
		w.flush()
		w.b.WriteRune(r)
		w.lineStart = false
	}
}

func (w *textWriter) raw(s string) {
	w.flush()
	w.b.WriteString(s)
	w.lineStart = strings.HasSuffix(s, "\n")
}

// link appends " (href)" after a link's text when the address is a web or
// mail address that the text does not already show.
func (w *textWriter) link(href string, start int) {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
		return
	}
	text := w.b.String()[min(start, w.b.Len()):]
	shown := strings.TrimPrefix(u.String(), "mailto:")
	if strings.Contains(text, shown) || strings.TrimSpace(text) == "" {
		return
	}
	w.text(" (" + shown + ")")
}

func (w *textWriter) String() string { return strings.TrimSpace(w.b.String()) }

func attr(t html.Token, name string) string {
	for _, a := range t.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// allowed lists the elements kept by sanitizeHTML and their attributes.
var allowed = map[string][]string{
	"a": {"href", "title"}, "abbr": {"title"}, "b": nil, "blockquote": nil, "br": nil, "caption": nil,
	"code": nil, "dd": nil, "del": nil, "div": nil, "dl": nil, "dt": nil, "em": nil, "h1": nil,
	"h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil, "hr": nil, "i": nil,
	"img": {"src", "alt", "width", "height"}, "ins": nil, "li": nil, "ol": nil, "p": nil, "pre": nil,
	"q": nil, "s": nil, "small": nil, "span": nil, "strike": nil, "strong": nil, "sub": nil, "sup": nil,
	"table": nil, "tbody": nil, "td": {"colspan", "rowspan"}, "tfoot": nil,
	"th": {"colspan", "rowspan"}, "thead": nil, "tr": nil, "u": nil, "ul": nil,
}

// sanitizeHTML keeps an HTML body fit to show inside the inbox: only
// allowed elements and attributes, links only to http, https and mailto
// addresses, images only from the message itself (cid:), and no scripts,
// styles, forms, frames, comments or event handlers.
func sanitizeHTML(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if skipped[tok.Data] {
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if attrs, ok := allowed[tok.Data]; ok && skip == 0 {
				writeStartTag(&b, tok, attrs)
			}
		case html.EndTagToken:
			if skipped[tok.Data] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if _, ok := allowed[tok.Data]; ok && skip == 0 && !voidElement(tok.Data) {
				b.WriteString("</" + tok.Data + ">")
			}
		case html.TextToken:
			if skip == 0 {
				b.WriteString(html.EscapeString(tok.Data))
			}
		}
	}
}

func writeStartTag(b *strings.Builder, tok html.Token, attrs []string) {
	b.WriteString("<" + tok.Data)
	for _, a := range tok.Attr {
		if a.Namespace != "" || !slices.Contains(attrs, a.Key) {
			continue
		}
		v := strings.TrimSpace(a.Val)
		switch a.Key {
		case "href":
			if !safeURL(v, "http", "https", "mailto") {
				continue
			}
		case "src":
			if !safeURL(v, "cid") {
				continue
			}
		}
		b.WriteString(" " + a.Key + `="` + html.EscapeString(v) + `"`)
	}
	if tok.Data == "a" {
		b.WriteString(` rel="noopener noreferrer nofollow" target="_blank"`)
	}
	b.WriteString(">")
}

func safeURL(v string, schemes ...string) bool {
	u, err := url.Parse(v)
	return err == nil && slices.Contains(schemes, strings.ToLower(u.Scheme))
}

func voidElement(name string) bool {
	return name == "br" || name == "hr" || name == "img"
}
