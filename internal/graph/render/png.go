package render

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
)

// pngEncoder writes opaque RGBA images as 8-bit RGB PNGs with the "None"
// filter on every row.
//
// image/png tries all five filters on each row to pick the best, which took
// half of a chart's render time. On charts (flat background, thin lines,
// text) no filter both compresses faster and gives smaller files, because
// deflate matches the repeated pixels directly: measured on a 10-series
// chart, 301 KB in ~6 ms against image/png's 321 KB in ~14 ms at BestSpeed.
type pngEncoder struct {
	states freeList[*pngState]
}

// pngState is the reusable memory of one encoding: the zlib writer holds
// about 1 MiB of tables.
type pngState struct {
	zw   *zlib.Writer
	idat bytes.Buffer
	row  []byte
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// encode returns img as PNG bytes. The alpha channel is dropped: every
// chart is drawn on an opaque background.
func (e *pngEncoder) encode(img *image.RGBA) ([]byte, error) {
	st := e.states.get()
	if st == nil {
		st = &pngState{}
		var err error
		if st.zw, err = zlib.NewWriterLevel(&st.idat, zlib.BestSpeed); err != nil {
			return nil, err
		}
	}
	defer e.states.put(st)
	st.idat.Reset()
	st.zw.Reset(&st.idat)

	w, h := img.Rect.Dx(), img.Rect.Dy()
	if cap(st.row) < 1+3*w {
		st.row = make([]byte, 1+3*w)
	}
	row := st.row[:1+3*w]
	row[0] = 0 // filter type None
	for y := range h {
		pix := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):]
		for x, i := 0, 1; x < w; x, i = x+1, i+3 {
			row[i], row[i+1], row[i+2] = pix[4*x], pix[4*x+1], pix[4*x+2]
		}
		if _, err := st.zw.Write(row); err != nil {
			return nil, err
		}
	}
	if err := st.zw.Close(); err != nil {
		return nil, err
	}

	out := make([]byte, 0, len(pngSignature)+3*12+13+st.idat.Len())
	out = append(out, pngSignature...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits per sample, truecolour; compression, filter, interlace: 0
	out = appendChunk(out, "IHDR", ihdr[:])
	out = appendChunk(out, "IDAT", st.idat.Bytes())
	out = appendChunk(out, "IEND", nil)
	return out, nil
}

// appendChunk appends one PNG chunk: length, type, data, CRC of type+data.
func appendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}
