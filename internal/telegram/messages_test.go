package telegram

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"testing"
)

func TestMultipartBody(t *testing.T) {
	t.Parallel()
	p := &SendPhotoParams{ChatID: "-100333", MessageThreadID: 7, Caption: "<b>x</b> & \"y\"", ParseMode: "HTML",
		DisableNotification: true, ReplyParameters: &ReplyParameters{MessageID: 5, AllowSendingWithoutReply: true}}
	body, ct, err := multipartBody(p, "photo", []byte("PNGDATA"))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, _ := mime.ParseMediaType(ct)
	if mt != "multipart/form-data" {
		t.Fatalf("content type %q", ct)
	}
	form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"chat_id": "-100333", "message_thread_id": "7", "caption": p.Caption,
		"parse_mode": "HTML", "disable_notification": "true"}
	for k, v := range want {
		if got := form.Value[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	var rp ReplyParameters
	if err := json.Unmarshal([]byte(form.Value["reply_parameters"][0]), &rp); err != nil || rp != *p.ReplyParameters {
		t.Errorf("reply_parameters %q: %v", form.Value["reply_parameters"], err)
	}
	fh := form.File["photo"]
	if len(fh) != 1 || fh[0].Filename != "chart.png" || fh[0].Header.Get("Content-Type") != "image/png" {
		t.Fatalf("file part %+v", fh)
	}
	f, _ := fh[0].Open()
	defer f.Close()
	if b, _ := io.ReadAll(f); string(b) != "PNGDATA" {
		t.Errorf("file content %q", b)
	}
}
