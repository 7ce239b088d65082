package discord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	// Herald's charts are PNG; registering only that decoder keeps another
	// format from passing for a chart.
	_ "image/png"
	"mime/multipart"
	"net/textproto"
)

// MaxFileBytes is the largest file Herald uploads: 10 MiB, the per-file
// upload limit of a server without boosts since Discord lowered it from
// 25 MiB in late 2024 (Discord's help centre, "file upload size limit";
// the API reference only gives the request limit: "The maximum request
// size when sending a message is 25 MiB",
// https://discord.com/developers/docs/resources/message#create-message).
// A chart is a few hundred kilobytes, so the stricter number costs nothing.
const MaxFileBytes = 10 << 20

// maxAttachmentDescription is the longest alt text of an attachment
// (https://discord.com/developers/docs/resources/message#attachment-object:
// "description: description for the file (max 1024 characters)").
const maxAttachmentDescription = 1024

// The chart's upload: the embed shows it through attachment://chart.png
// (https://discord.com/developers/docs/reference#uploading-files).
const (
	chartFileName    = "chart.png"
	chartField       = "files[0]"
	chartContentType = "image/png"
)

// payload is the JSON body (or the payload_json field) of Execute Webhook
// and Edit Webhook Message.
type payload struct {
	Content   string  `json:"content,omitempty"`
	Username  string  `json:"username,omitempty"`
	AvatarURL string  `json:"avatar_url,omitempty"`
	Embeds    []embed `json:"embeds"`
	// AllowedMentions is always "parse": []: label values and annotations
	// must never ping @everyone or a role.
	AllowedMentions allowedMentions `json:"allowed_mentions"`
	// Attachments lists the files the message keeps. Set with an upload, it
	// names the new file; on an edit it also drops the old chart, which is
	// what makes the resolved chart replace the firing one.
	Attachments []attachment `json:"attachments,omitempty"`
}

type allowedMentions struct {
	Parse []string `json:"parse"`
}

// attachment is a partial attachment object: ID is the index n of the
// files[n] field of a new file.
type attachment struct {
	ID          int    `json:"id"`
	Filename    string `json:"filename"`
	Description string `json:"description,omitempty"`
}

// chart is a file to upload with a message.
type chart struct {
	png []byte
	alt string
}

// encode returns the request body for p: JSON alone, or multipart/form-data
// with payload_json and the chart as files[0] (the only encoding in which
// Discord takes a file).
func encode(p *payload, c *chart) (body []byte, contentType string, err error) {
	p.AllowedMentions.Parse = []string{}
	if c == nil {
		body, err = json.Marshal(p)
		return body, "application/json", err
	}
	p.Attachments = []attachment{{ID: 0, Filename: chartFileName, Description: shorten(c.alt, maxAttachmentDescription)}}
	js, err := json.Marshal(p)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	buf.Grow(len(js) + len(c.png) + 1024)
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="payload_json"`)
	h.Set("Content-Type", "application/json")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(js); err != nil {
		return nil, "", err
	}
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, chartField, chartFileName))
	h.Set("Content-Type", chartContentType)
	if part, err = w.CreatePart(h); err != nil {
		return nil, "", err
	}
	if _, err := part.Write(c.png); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// checkChart reports why png cannot go out as the chart, or nil. A refused
// upload would fail the whole message, and the alert matters more than its
// picture, so a bad chart is left out instead.
func checkChart(png []byte) error {
	if len(png) > MaxFileBytes {
		return fmt.Errorf("the chart is %d bytes, over Discord's upload limit of %d", len(png), MaxFileBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(png))
	if err != nil {
		return fmt.Errorf("the chart is not a readable PNG: %w", err)
	}
	if format != "png" || cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("the chart is a %dx%d %s image, not a PNG", cfg.Width, cfg.Height, format)
	}
	return nil
}
