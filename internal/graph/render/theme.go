package render

import "image/color"

// theme holds every colour of a chart.
type theme struct {
	bg, text, muted, grid color.RGBA
	threshold             color.RGBA
	firingBand            color.NRGBA // translucent, drawn under the data
	resolvedBand          color.NRGBA
	firingText            color.RGBA
	resolvedText          color.RGBA
	// palette colours series in legend order. Red is left out on purpose:
	// it means "threshold" and "firing" on these charts.
	palette []color.RGBA
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

func nrgba(v uint32, a uint8) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: a}
}

// themes are keyed by Options.Theme. The palettes differ per theme: the
// saturated mid-tones that read well on white are too dark on near-black and
// the reverse, and each palette was checked for contrast against its own
// background and for being told apart from its neighbours.
var themes = map[string]theme{
	"light": {
		bg:           rgb(0xffffff),
		text:         rgb(0x1f2328),
		muted:        rgb(0x656d76),
		grid:         rgb(0xe4e7eb),
		threshold:    rgb(0xcf222e),
		firingBand:   nrgba(0xcf222e, 0x1c),
		resolvedBand: nrgba(0x1a7f37, 0x1c),
		firingText:   rgb(0xcf222e),
		resolvedText: rgb(0x1a7f37),
		palette: []color.RGBA{
			rgb(0x1f77b4), // blue
			rgb(0xff7f0e), // orange
			rgb(0x2ca02c), // green
			rgb(0x9467bd), // purple
			rgb(0x8c564b), // brown
			rgb(0xe377c2), // pink
			rgb(0x17a2b8), // teal
			rgb(0x7f7f7f), // grey
			rgb(0xb5a100), // olive
			rgb(0x393b79), // indigo
		},
	},
	"dark": {
		bg:           rgb(0x181b1f),
		text:         rgb(0xd8d9da),
		muted:        rgb(0x8e9199),
		grid:         rgb(0x2c3036),
		threshold:    rgb(0xf2495c),
		firingBand:   nrgba(0xf2495c, 0x2a),
		resolvedBand: nrgba(0x73bf69, 0x2a),
		firingText:   rgb(0xff7383),
		resolvedText: rgb(0x73bf69),
		palette: []color.RGBA{
			rgb(0x5794f2), // blue
			rgb(0xff9830), // orange
			rgb(0x73bf69), // green
			rgb(0xb877d9), // purple
			rgb(0xfade2a), // yellow
			rgb(0x37cfe3), // cyan
			rgb(0xff85c8), // pink
			rgb(0xd8a47f), // tan
			rgb(0xa8a8a8), // grey
			rgb(0x8f97f2), // lavender
		},
	},
}

// seriesColor cycles the palette when MaxSeries is above its length.
func (t *theme) seriesColor(i int) color.RGBA {
	return t.palette[i%len(t.palette)]
}
