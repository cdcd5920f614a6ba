package schema

import (
	"net/netip"
	"net/url"
	"time"
)

// formats are the values of "format" that an input schema may assert,
// each with its check. compile refuses any other, so a format that is
// advertised is a format that is enforced.
var formats = map[string]func(string) bool{
	"date-time": func(s string) bool { return parses(time.RFC3339Nano, s) },
	"date":      func(s string) bool { return parses(time.DateOnly, s) },
	"uri": func(s string) bool {
		u, err := url.Parse(s)
		return err == nil && u.IsAbs()
	},
	"uuid": isUUID,
	"ipv4": func(s string) bool {
		a, err := netip.ParseAddr(s)
		return err == nil && a.Is4()
	},
	"ipv6": func(s string) bool {
		a, err := netip.ParseAddr(s)
		return err == nil && a.Is6() && a.Zone() == ""
	},
}

func parses(layout, s string) bool {
	_, err := time.Parse(layout, s)
	return err == nil
}

// isUUID reports whether s is a UUID in its canonical text form, hex
// digits in groups of 8, 4, 4, 4 and 12 joined by hyphens.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
