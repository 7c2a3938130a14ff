package sms

// Encodings of an SMS text.
const (
	EncodingGSM7 = "GSM-7"
	EncodingUCS2 = "UCS-2"
)

// Segmentation is how carriers split a text into SMS segments.
type Segmentation struct {
	// Encoding is EncodingGSM7 when every character is in the GSM 03.38
	// alphabet (basic table or extension table), else EncodingUCS2.
	Encoding string
	// Units is the length in the encoding's units: septets for GSM-7
	// (extension characters take two), UTF-16 code units for UCS-2.
	Units int
	// Segments is the number of SMS parts; 0 for an empty text.
	Segments int
}

// Segment limits: a single SMS carries 160 septets or 70 UCS-2 units; the
// parts of a concatenated one lose 7 septets (6 units) to the user data
// header.
const (
	gsmSingle  = 160
	gsmPart    = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// gsmBasic is the GSM 03.38 default alphabet (escape excluded).
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension holds the characters sent as escape + one septet.
const gsmExtension = "\f^{}\\[~]|€"

// gsmSeptets maps each GSM-7 character to its size in septets.
var gsmSeptets = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// Segments counts text's SMS segments. A character is never split across
// two parts: an extension character or a surrogate pair that does not fit
// in the rest of a part starts the next one, as handsets and carriers do.
func Segments(text string) Segmentation {
	if text == "" {
		return Segmentation{Encoding: EncodingGSM7}
	}
	sizes, enc := make([]int, 0, len(text)), EncodingGSM7
	for _, r := range text {
		n, ok := gsmSeptets[r]
		if !ok {
			enc = EncodingUCS2
			break
		}
		sizes = append(sizes, n)
	}
	single, part := gsmSingle, gsmPart
	if enc == EncodingUCS2 {
		single, part = ucs2Single, ucs2Part
		sizes = sizes[:0]
		for _, r := range text {
			if r > 0xFFFF {
				sizes = append(sizes, 2) // a surrogate pair
			} else {
				sizes = append(sizes, 1)
			}
		}
	}
	units := 0
	for _, n := range sizes {
		units += n
	}
	s := Segmentation{Encoding: enc, Units: units, Segments: 1}
	if units <= single {
		return s
	}
	s.Segments = pack(sizes, part)
	return s
}

// pack fills parts of capacity units with characters of the given sizes,
// in order, never splitting one, and returns the number of parts.
func pack(sizes []int, capacity int) int {
	parts, used := 1, 0
	for _, n := range sizes {
		if used+n > capacity {
			parts++
			used = 0
		}
		used += n
	}
	return parts
}
