package core

// MaskCards masks every Luhn-valid card number in s: a run of 13 to 19
// digits, optionally separated by single spaces or hyphens and not touching
// other digits. All digits but the last four become '*'; separators stay
// ("4111 1111 1111 1111" becomes "**** **** **** 1111"). It reports whether
// anything was masked.
func MaskCards(s string) (string, bool) {
	b := []byte(s)
	masked := false
	for i := 0; i < len(b); {
		if !isDigit(b[i]) || (i > 0 && isDigit(b[i-1])) {
			i++
			continue
		}
		end, digits := scanCardRun(b, i)
		// The run is maximal and a card must not touch other digits, so
		// only the whole run is a candidate, never a part of a longer one.
		if cand := cardCandidate(b, i, end, digits); cand > i {
			maskRun(b, i, cand)
			masked = true
			i = cand
			continue
		}
		i = end
	}
	return string(b), masked
}

// scanCardRun returns the end of the digit run starting at i (separators of
// one space or hyphen between digits allowed) and its digit count.
func scanCardRun(b []byte, i int) (end, digits int) {
	end = i
	for j := i; j < len(b); {
		if isDigit(b[j]) {
			digits++
			j++
			end = j
			continue
		}
		if (b[j] == ' ' || b[j] == '-') && j+1 < len(b) && isDigit(b[j+1]) && j > i {
			j++
			continue
		}
		break
	}
	return end, digits
}

// cardCandidate returns the end of the masked range if the run [i,end) is a
// card number, or i if it is not. Runs longer than 19 digits are not cards.
func cardCandidate(b []byte, i, end, digits int) int {
	if digits < 13 || digits > 19 {
		return i
	}
	if !luhn(b[i:end]) {
		return i
	}
	return end
}

func maskRun(b []byte, i, end int) {
	// Keep the last four digits.
	keep := 4
	for j := end - 1; j >= i; j-- {
		if !isDigit(b[j]) {
			continue
		}
		if keep > 0 {
			keep--
			continue
		}
		b[j] = '*'
	}
}

func luhn(b []byte) bool {
	sum, double := 0, false
	for j := len(b) - 1; j >= 0; j-- {
		if !isDigit(b[j]) {
			continue
		}
		d := int(b[j] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
