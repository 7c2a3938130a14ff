package email

import (
	"strings"
	"testing"
)

func TestHTMLToText_reads_like_the_mail(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"paragraphs and breaks", "<p>Hello,</p><p>line one<br>line two</p>", "Hello,\n\nline one\nline two"},
		{"entities and inline tags", "<p>M &amp; L, <b>bold</b>&nbsp;text &euro;5</p>", "M & L, bold text €5"},
		{"scripts, styles and head are dropped", "<html><head><title>T</title><style>p{}</style></head><body><script>alert(1)</script>Hi</body></html>", "Hi"},
		{"lists", "<ul><li>one</li><li>two</li></ul>after", "- one\n- two\n\nafter"},
		{"links show their address", `<a href="https://example.com/track">your order</a> or <a href="https://example.com">https://example.com</a>`, "your order (https://example.com/track) or https://example.com"},
		{"javascript links show nothing", `<a href="javascript:alert(1)">click</a>`, "click"},
		{"whitespace collapses", "<div>  a \n\n b  </div><div>c</div>", "a b\nc"},
		{"pre keeps its lines", "<pre>a\n  b</pre>", "a\n  b"},
		{"broken markup", "<p>unclosed <b>bold <i>text", "unclosed bold text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.html); got != tt.want {
				t.Errorf("htmlToText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSanitizeHTML_keeps_display_and_drops_anything_active(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"formatting stays", "<p>Hi <b>there</b><br></p>", "<p>Hi <b>there</b><br></p>"},
		{"scripts go with their content", "<p>a</p><script>steal()</script><p>b</p>", "<p>a</p><p>b</p>"},
		{"event handlers and styles go", `<p onclick="x()" style="color:red" class="c">a</p>`, "<p>a</p>"},
		{"javascript links lose their href", `<a href="javascript:alert(1)">x</a>`, `<a rel="noopener noreferrer nofollow" target="_blank">x</a>`},
		{"web links stay", `<a href="https://example.com/?a=1&b=2">x</a>`, `<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">x</a>`},
		{"remote images (tracking pixels) lose their src", `<img src="https://t.example.com/p.gif" alt="">`, `<img alt="">`},
		{"inline images stay", `<img src="cid:scratch@example.com">`, `<img src="cid:scratch@example.com">`},
		{"forms and frames go", `<form action="x"><input name="p"></form><iframe src="x">in</iframe>ok`, "ok"},
		{"comments go", "a<!-- secret -->b", "ab"},
		{"text is escaped", "<p>1 &lt; 2 &amp; 3</p>", "<p>1 &lt; 2 &amp; 3</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sanitizeHTML(tt.html); got != tt.want {
				t.Errorf("sanitizeHTML = %q, want %q", got, tt.want)
			}
		})
	}
	if got := sanitizeHTML(`<svg><script>x</script></svg><SCRIPT SRC=//x></SCRIPT>`); strings.Contains(strings.ToLower(got), "script") {
		t.Errorf("sanitizeHTML kept a script: %q", got)
	}
}
