package blobfs

import (
	"bytes"
	"net/http"
)

// sniffLen is how many leading bytes Sniff looks at, as
// http.DetectContentType does.
const sniffLen = 512

// Sniff returns the MIME type of data from its first bytes: what
// http.DetectContentType says, refined for formats it lacks or lumps
// together that messaging channels carry (voice notes as M4A, AMR or Ogg
// Opus, iPhone photos and videos as HEIC and QuickTime, raw MP3 and AAC).
// Text keeps DetectContentType's charset parameter
// ("text/plain; charset=utf-8").
func Sniff(data []byte) string {
	if len(data) > sniffLen {
		data = data[:sniffLen]
	}
	if t := sniffExtra(data); t != "" {
		return t
	}
	return http.DetectContentType(data)
}

func sniffExtra(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return isoBrand(string(b[8:12]))
	case bytes.HasPrefix(b, []byte("#!AMR-WB\n")):
		return "audio/amr-wb"
	case bytes.HasPrefix(b, []byte("#!AMR\n")):
		return "audio/amr"
	case bytes.HasPrefix(b, []byte("OggS")):
		return oggType(b)
	case len(b) >= 2 && b[0] == 0xFF && b[1]&0xF6 == 0xF0:
		// ADTS: sync word, layer 00. Checked before MPEG audio, whose
		// layer bits are never 00.
		return "audio/aac"
	case mpegFrame(b):
		return "audio/mpeg" // an MP3 without an ID3 tag
	}
	return ""
}

// mpegFrame reports whether b starts with an MPEG audio frame header: sync
// bits, a valid version, layer, bitrate and sample rate. The UTF-16 byte
// order mark FF FE would pass the first checks and is excluded.
func mpegFrame(b []byte) bool {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 || b[1] == 0xFE || b[1] == 0xFF {
		return false
	}
	version, layer := b[1]>>3&3, b[1]>>1&3
	bitrate, rate := b[2]>>4, b[2]>>2&3
	return version != 1 && layer != 0 && bitrate != 0 && bitrate != 15 && rate != 3
}

// isoBrand maps the major brand of an ISO base media file (MP4 family) to a
// MIME type; DetectContentType calls most of them video/mp4.
func isoBrand(brand string) string {
	switch brand {
	case "M4A ", "M4B ", "M4P ", "F4A ":
		return "audio/mp4"
	case "qt  ":
		return "video/quicktime"
	case "heic", "heix", "heim", "heis", "hevc", "hevx":
		return "image/heic"
	case "mif1", "msf1":
		return "image/heif"
	case "avif", "avis":
		return "image/avif"
	case "3gp4", "3gp5", "3gp6", "3gp7", "3gs7", "3ge6", "3ge7", "3gg6":
		return "video/3gpp"
	case "3g2a", "3g2b", "3g2c":
		return "video/3gpp2"
	case "isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "mmp4", "avc1", "dash", "M4V ", "M4VH", "M4VP", "f4v ":
		return "video/mp4"
	}
	return "" // DetectContentType decides
}

// oggType looks at the codec header in the first Ogg page, which starts
// after the 27-byte page header and the segment table.
func oggType(b []byte) string {
	if len(b) < 27 {
		return ""
	}
	body := b[min(27+int(b[26]), len(b)):]
	switch {
	case bytes.HasPrefix(body, []byte("OpusHead")),
		bytes.HasPrefix(body, []byte("\x01vorbis")),
		bytes.HasPrefix(body, []byte("\x7fFLAC")),
		bytes.HasPrefix(body, []byte("Speex   ")):
		return "audio/ogg"
	case bytes.HasPrefix(body, []byte("\x80theora")):
		return "video/ogg"
	}
	return "" // DetectContentType: application/ogg
}
