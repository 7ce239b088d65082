package wecom

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
)

// MaxImageBytes is the largest image, before base64: "图片（base64编码前）最大
// 不能超过2M，支持JPG,PNG格式" (at most 2M before encoding, JPG or PNG;
// https://developer.work.weixin.qq.com/document/path/91770, 图片类型). M is
// read as 10^6 bytes, the stricter reading: a chart is a few hundred
// kilobytes, so nothing real is lost by being safe.
const MaxImageBytes = 2_000_000

// minSide is the smallest width or height a chart is shrunk to: below it
// the labels and the line can no longer be read, and the text says it all.
const minSide = 160

// maxShrinks bounds the halvings tried before giving up on an image.
const maxShrinks = 4

var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
)

// fitImage returns img as WeCom takes it: raw JPG or PNG bytes of at most
// limit. A larger PNG is encoded again with the best compression, then
// halved in size until it fits; an image that still does not fit, or is not
// a JPG or PNG, is an error (the message then goes without it). It also
// returns the pixel size of a shrunk image, for the log.
func fitImage(raw []byte, limit int) ([]byte, string, error) {
	isPNG, isJPEG := bytes.HasPrefix(raw, pngMagic), bytes.HasPrefix(raw, jpegMagic)
	switch {
	case !isPNG && !isJPEG:
		return nil, "", errors.New("the chart is neither PNG nor JPG, the only formats WeCom takes")
	case len(raw) <= limit:
		return raw, "", nil
	case !isPNG:
		return nil, "", fmt.Errorf("the chart is a JPG of %d bytes, over WeCom's limit of %d", len(raw), limit)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, "", fmt.Errorf("the chart is not a readable PNG: %w", err)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	for i := 0; ; i++ {
		var buf bytes.Buffer
		if err := enc.Encode(&buf, img); err != nil {
			return nil, "", fmt.Errorf("re-encoding the chart: %w", err)
		}
		b := img.Bounds()
		if buf.Len() <= limit {
			return buf.Bytes(), fmt.Sprintf("%dx%d", b.Dx(), b.Dy()), nil
		}
		if i == maxShrinks || b.Dx()/2 < minSide || b.Dy()/2 < minSide {
			return nil, "", fmt.Errorf("the chart is %d bytes even at %dx%d with the best compression, over WeCom's limit of %d",
				buf.Len(), b.Dx(), b.Dy(), limit)
		}
		img = halve(img)
	}
}

// halve scales img to half its width and height, each pixel the average
// of four: a box filter, enough for a chart's lines and text to stay
// legible without an image library.
func halve(src image.Image) *image.RGBA {
	b := src.Bounds()
	in, ok := src.(*image.RGBA)
	if !ok || in.Rect.Min != (image.Point{}) {
		in = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(in, in.Rect, src, b.Min, draw.Src)
	}
	w, h := b.Dx()/2, b.Dy()/2
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			o := out.PixOffset(x, y)
			p := [4]int{in.PixOffset(2*x, 2*y), in.PixOffset(2*x+1, 2*y), in.PixOffset(2*x, 2*y+1), in.PixOffset(2*x+1, 2*y+1)}
			for c := range 4 {
				sum := int(in.Pix[p[0]+c]) + int(in.Pix[p[1]+c]) + int(in.Pix[p[2]+c]) + int(in.Pix[p[3]+c])
				out.Pix[o+c] = uint8((sum + 2) / 4)
			}
		}
	}
	return out
}

// imageMessage is the image message of raw bytes: their base64 and the md5
// of the raw bytes (WeCom checks it against what the base64 decodes to).
func imageMessage(raw []byte) *webhookMsg {
	sum := md5.Sum(raw)
	return &webhookMsg{MsgType: "image", Image: &imageBody{
		Base64: base64.StdEncoding.EncodeToString(raw),
		MD5:    hex.EncodeToString(sum[:]),
	}}
}
