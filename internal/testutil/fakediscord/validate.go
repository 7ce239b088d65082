package fakediscord

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits
// and https://discord.com/developers/docs/resources/webhook#execute-webhook).
const (
	MaxContent     = 2000
	MaxEmbeds      = 10
	MaxTitle       = 256
	MaxDescription = 4096
	MaxFields      = 25
	MaxFieldName   = 256
	MaxFieldValue  = 1024
	MaxFooter      = 2048
	MaxAuthorName  = 256
	MaxEmbedTotal  = 6000
	MaxUsername    = 80
	maxColor       = 0xFFFFFF
)

// Length counts characters the strictest way Discord might: UTF-16 code
// units (never fewer than code points), so that a message the fake accepts
// is within Discord's limits whichever way Discord counts.
func Length(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// formErrors collects field errors into Discord's nested "errors" object:
// {"embeds": {"0": {"title": {"_errors": [{"code", "message"}]}}}}.
type formErrors struct {
	tree map[string]any
}

func (f *formErrors) add(path, code, msg string) {
	if f.tree == nil {
		f.tree = map[string]any{}
	}
	node := f.tree
	if path != "" {
		for _, k := range strings.Split(path, ".") {
			next, ok := node[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[k] = next
			}
			node = next
		}
	}
	errs, _ := node["_errors"].([]map[string]string)
	node["_errors"] = append(errs, map[string]string{"code": code, "message": msg})
}

// err is the 400 answer for the collected errors, or nil.
func (f *formErrors) err() *apiError {
	if f.tree == nil {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, code: 50035, message: "Invalid Form Body", errors: f.tree}
}

// invalidForm is a 400 Invalid Form Body with one field error.
func invalidForm(path, code, msg string) *apiError {
	var f formErrors
	f.add(path, code, msg)
	return f.err()
}

func (f *formErrors) maxLen(path, s string, limit int) {
	if Length(s) > limit {
		f.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limit))
	}
}

// checkURL accepts an absolute http(s) URL, or with attachment an
// attachment://name reference.
func (f *formErrors) checkURL(path, s string, attachment bool) {
	if attachment && strings.HasPrefix(s, "attachment://") {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2048 {
		f.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
	}
}

// validate checks a payload against Discord's limits.
func validate(p *payloadJSON, edit bool) *apiError {
	var f formErrors
	f.maxLen("content", p.Content, MaxContent)
	if !edit {
		checkUsername(&f, p.Username)
		if p.AvatarURL != "" {
			f.checkURL("avatar_url", p.AvatarURL, false)
		}
	}
	if len(p.Embeds) > MaxEmbeds {
		f.add("embeds", "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxEmbeds))
	}
	total := 0
	for i := range p.Embeds {
		total += checkEmbed(&f, "embeds."+strconv.Itoa(i), &p.Embeds[i])
	}
	if total > MaxEmbedTotal {
		f.add("embeds", "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Embed size exceeds maximum size of %d", MaxEmbedTotal))
	}
	return f.err()
}

func checkUsername(f *formErrors, name string) {
	if name == "" {
		return
	}
	f.maxLen("username", name, MaxUsername)
	for _, bad := range []string{"discord", "clyde"} {
		if strings.Contains(strings.ToLower(name), bad) {
			f.add("username", "USERNAME_INVALID_CONTAINS", fmt.Sprintf("Username cannot contain %q", bad))
		}
	}
}

// checkEmbed checks one embed and returns what it counts towards
// MaxEmbedTotal.
func checkEmbed(f *formErrors, path string, e *Embed) int {
	total := Length(e.Title) + Length(e.Description)
	f.maxLen(path+".title", e.Title, MaxTitle)
	f.maxLen(path+".description", e.Description, MaxDescription)
	if e.URL != "" {
		f.checkURL(path+".url", e.URL, false)
	}
	if e.Timestamp != "" {
		if _, err := time.Parse(time.RFC3339Nano, e.Timestamp); err != nil {
			f.add(path+".timestamp", "DATE_TIME_TYPE_PARSE", fmt.Sprintf("Could not interpret %q as date/time.", e.Timestamp))
		}
	}
	if e.Color < 0 || e.Color > maxColor {
		f.add(path+".color", "NUMBER_TYPE_MAX", fmt.Sprintf("int value should be less than or equal to %d.", maxColor))
	}
	if e.Footer != nil {
		if strings.TrimSpace(e.Footer.Text) == "" {
			f.add(path+".footer.text", "BASE_TYPE_REQUIRED", "This field is required")
		}
		f.maxLen(path+".footer.text", e.Footer.Text, MaxFooter)
		total += Length(e.Footer.Text)
	}
	if e.Author != nil {
		f.maxLen(path+".author.name", e.Author.Name, MaxAuthorName)
		total += Length(e.Author.Name)
	}
	if e.Image != nil {
		f.checkURL(path+".image.url", e.Image.URL, true)
	}
	if len(e.Fields) > MaxFields {
		f.add(path+".fields", "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxFields))
	}
	for j, fl := range e.Fields {
		fp := path + ".fields." + strconv.Itoa(j)
		if strings.TrimSpace(fl.Name) == "" {
			f.add(fp+".name", "BASE_TYPE_REQUIRED", "This field is required")
		}
		if strings.TrimSpace(fl.Value) == "" {
			f.add(fp+".value", "BASE_TYPE_REQUIRED", "This field is required")
		}
		f.maxLen(fp+".name", fl.Name, MaxFieldName)
		f.maxLen(fp+".value", fl.Value, MaxFieldValue)
		total += Length(fl.Name) + Length(fl.Value)
	}
	return total
}

// checkReferences checks that every attachment:// image names an
// attachment the message has after the request.
func checkReferences(embeds []Embed, atts []Attachment) *apiError {
	var f formErrors
	for i, e := range embeds {
		if e.Image == nil {
			continue
		}
		name, ok := strings.CutPrefix(e.Image.URL, "attachment://")
		if !ok {
			continue
		}
		found := false
		for _, a := range atts {
			found = found || a.Filename == name
		}
		if !found {
			f.add(fmt.Sprintf("embeds.%d.image.url", i), "ATTACHMENT_NOT_FOUND",
				fmt.Sprintf("attachment://%s names no attachment of the message.", name))
		}
	}
	return f.err()
}
