package whatsapp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
	"github.com/switchboard-hq/switchboard/core"
)

// locationText is how a shared location reads in the transcript: its name
// and address when given, and a map link.
func locationText(name, address string, lat, long float64) string {
	where := strings.TrimSpace(strings.Join(nonEmpty(strings.TrimSpace(name), strings.TrimSpace(address)), ", "))
	coords := strconv.FormatFloat(lat, 'f', -1, 64) + "," + strconv.FormatFloat(long, 'f', -1, 64)
	if where == "" {
		where = coords
	}
	return "📍 Location: " + where + "\nhttps://maps.google.com/?q=" + coords
}

// contactText is how a shared contact card reads in the transcript.
func contactText(name string, phones []string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "(no name)"
	}
	line := "👤 Shared contact: " + name
	if p := nonEmpty(phones...); len(p) > 0 {
		line += ", " + strings.Join(p, ", ")
	}
	return line
}

// vcardPhones lists the TEL values of a vCard, in order.
func vcardPhones(vcard string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(vcard, "\r\n", "\n"), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(strings.ToUpper(key), ";")
		if name == "TEL" || strings.HasSuffix(name, ".TEL") {
			if v := strings.TrimSpace(value); v != "" {
				out = append(out, meta.Clip(v, 40))
			}
		}
	}
	return out
}

// placeholderText is the text the hub stores for a message: the contact's
// text, then a line for each piece of content that could not be stored, so
// that operators see something arrived.
func placeholderText(text string, unsupported, failed []string) string {
	lines := nonEmpty(text)
	for _, u := range unsupported {
		lines = append(lines, fmt.Sprintf("[WhatsApp: the contact sent content that cannot be shown here (%s)]", u))
	}
	for _, f := range failed {
		lines = append(lines, "[WhatsApp: "+f+"]")
	}
	return strings.Join(lines, "\n")
}

func joinLines(a, b string) string { return strings.Join(nonEmpty(a, b), "\n") }

func nonEmpty(ss ...string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// article names a kind of attachment for placeholder lines.
func article(typ string) string {
	switch typ {
	case "image":
		return "an image"
	case "audio":
		return "an audio clip"
	case "voice":
		return "a voice message"
	case "video":
		return "a video"
	case "sticker":
		return "a sticker"
	}
	return "a file"
}

// extensions name files that arrive without a name, by declared MIME type.
var extensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
	"audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/amr": ".amr",
	"video/mp4": ".mp4", "video/3gpp": ".3gp", "application/pdf": ".pdf",
}

// mediaName is a received file's name: the one the contact gave, else its
// kind with the extension of its declared type ("voice.ogg").
func mediaName(filename, typ, mimeType string) string {
	if name := core.CleanFilename(filename); name != "" {
		return name
	}
	mt, _, _ := strings.Cut(strings.ToLower(mimeType), ";")
	return typ + extensions[strings.TrimSpace(mt)]
}
