package render

import (
	"fmt"
	"image/color"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Text sizes in pixels (the canvas runs at 72 dpi, so points are pixels).
const (
	titleSize  = 18
	tickSize   = 12
	legendSize = 12
	smallSize  = 11
	bigSize    = 26
)

// fonts is a private font cache, so that a configured font never leaks into
// other users of gonum/plot's global cache, with the faces this package uses.
type fonts struct {
	handler        text.Plain
	regular, bold  font.Font
	ascent, height float64 // of the regular face at 1 px, for layout
}

// loadFonts parses file (if any) or takes the embedded Liberation Sans.
func loadFonts(file string) (fonts, error) {
	var f fonts
	if file == "" {
		// liberation.Collection parses the embedded fonts once per process.
		f.handler = text.Plain{Fonts: font.NewCache(liberation.Collection())}
		f.regular = font.Font{Typeface: "Liberation", Variant: "Sans"}
		f.bold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
	} else {
		data, err := os.ReadFile(file)
		if err != nil {
			return f, fmt.Errorf("render: font: %w", err)
		}
		// ParseCollection also accepts a single TTF/OTF (as a collection
		// of one), and NotoSansCJK ships as .ttc.
		coll, err := opentype.ParseCollection(data)
		if err != nil {
			return f, fmt.Errorf("render: font %s: %w: %v", file, errNoFont, err)
		}
		face, err := coll.Font(0)
		if err != nil {
			return f, fmt.Errorf("render: font %s: %w: %v", file, errNoFont, err)
		}
		f.regular = font.Font{Typeface: "Custom"}
		// No bold face: the cache falls back to the regular weight.
		f.bold = font.Font{Typeface: "Custom", Weight: xfont.WeightBold}
		f.handler = text.Plain{Fonts: font.NewCache(font.Collection{{Font: f.regular, Face: face}})}
	}
	ext := f.handler.Extents(font.From(f.regular, 1))
	f.ascent, f.height = float64(ext.Ascent), float64(ext.Height)
	if f.height <= 0 || f.ascent <= 0 {
		return f, fmt.Errorf("render: font %s: %w: no vertical metrics", file, errNoFont)
	}
	return f, nil
}

// style returns a text style of the given face, size, colour and alignment.
func (f *fonts) style(bold bool, size float64, c color.Color, xa draw.XAlignment, ya draw.YAlignment) draw.TextStyle {
	fnt := f.regular
	if bold {
		fnt = f.bold
	}
	return draw.TextStyle{
		Color:   c,
		Font:    font.From(fnt, vg.Length(size)),
		XAlign:  xa,
		YAlign:  ya,
		Handler: f.handler,
	}
}

// width is the drawn width of s in pixels.
func width(sty draw.TextStyle, s string) float64 {
	return float64(sty.Width(s))
}

// maxRunes bounds every text before it is measured: label values come from
// outside and may be megabytes long, and measuring is linear in length.
const maxRunes = 200

// clean makes outside text drawable on one line: valid UTF-8, no control
// characters (a newline would start a second line), bounded length.
func clean(s string) string {
	if utf8.RuneCountInString(s) > maxRunes {
		s = string([]rune(s)[:maxRunes]) + "…"
	}
	if strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }) < 0 {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
	// "a\n\tb" reads as "a b", not as a gap.
	return strings.Join(strings.Fields(s), " ")
}

// fit cuts s (already clean) with an ellipsis so that it is at most w
// pixels wide.
func fit(sty draw.TextStyle, s string, w float64) string {
	if width(sty, s) <= w {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs) // the longest prefix that fits is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if width(sty, string(rs[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return "…"
	}
	return string(rs[:lo]) + "…"
}
