package faketeams

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The part of the Adaptive Card schema (https://adaptivecards.io/explorer/)
// that the fake checks: the elements and actions Teams renders, the type
// of every property, the values of every enumeration (case does not
// matter, as in Adaptive Cards) and the required properties. Values the
// fake does not look into (fallback, selectAction's target...) only need
// to be present.

// checker checks the value of one property at JSON path p.
type checker func(p string, v any) error

// spec is the schema of one element or action type.
type spec struct {
	required []string
	props    map[string]checker
}

// check checks m against s and the properties common to its kind.
func (s spec) check(p string, m map[string]any, common map[string]checker) error {
	for _, r := range s.required {
		if _, ok := m[r]; !ok {
			return fmt.Errorf("%s.%s is required for a %v", p, r, m["type"])
		}
	}
	for k, val := range m {
		c, ok := s.props[k]
		if !ok {
			c, ok = common[k]
		}
		if !ok {
			return fmt.Errorf("%s.%s is not a property of %v", p, k, m["type"])
		}
		if c != nil {
			if err := c(p+"."+k, val); err != nil {
				return err
			}
		}
	}
	return nil
}

func str(p string, v any) error {
	if _, ok := v.(string); !ok {
		return fmt.Errorf("%s must be a string, got %T", p, v)
	}
	return nil
}

func nonEmpty(p string, v any) error {
	if s, ok := v.(string); !ok || strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s must be a non-empty string", p)
	}
	return nil
}

func boolean(p string, v any) error {
	if _, ok := v.(bool); !ok {
		return fmt.Errorf("%s must be a boolean, got %T", p, v)
	}
	return nil
}

func number(p string, v any) error {
	if _, ok := v.(json.Number); !ok {
		return fmt.Errorf("%s must be a number, got %T", p, v)
	}
	return nil
}

func array(p string, v any) error {
	if _, ok := v.([]any); !ok {
		return fmt.Errorf("%s must be an array, got %T", p, v)
	}
	return nil
}

func object(p string, v any) error {
	if _, ok := v.(map[string]any); !ok {
		return fmt.Errorf("%s must be an object, got %T", p, v)
	}
	return nil
}

// enum accepts one of values, in any case.
func enum(values ...string) checker {
	return func(p string, v any) error {
		s, ok := v.(string)
		if ok {
			for _, e := range values {
				if strings.EqualFold(s, e) {
					return nil
				}
			}
		}
		return fmt.Errorf("%s must be one of %s, got %v", p, strings.Join(values, ", "), v)
	}
}

// httpURL accepts an absolute http(s) URL: Teams opens nothing else from
// a button.
func httpURL(p string, v any) error {
	if s, ok := v.(string); !ok || !absoluteHTTP(s) {
		return fmt.Errorf("%s must be an absolute http or https URL, got %v", p, v)
	}
	return nil
}

// imageURL accepts an absolute http(s) URL or a data: URI of an image.
func imageURL(p string, v any) error {
	if s, ok := v.(string); ok && strings.HasPrefix(s, "data:image/") {
		return nil
	}
	return httpURL(p, v)
}

// stringOrNumber is a width or height: "auto", "stretch", "50px" or a weight.
func stringOrNumber(p string, v any) error {
	if str(p, v) == nil || number(p, v) == nil {
		return nil
	}
	return fmt.Errorf("%s must be a string or a number, got %T", p, v)
}

var (
	spacing     = enum("none", "small", "default", "medium", "large", "extraLarge", "padding")
	boxStyle    = enum("default", "emphasis", "good", "attention", "warning", "accent")
	alignment   = enum("left", "center", "right")
	vertical    = enum("top", "center", "bottom")
	textSize    = enum("default", "small", "medium", "large", "extraLarge")
	imageSize   = enum("auto", "stretch", "small", "medium", "large")
	actionStyle = enum("default", "positive", "destructive")
)

// commonElement are the properties every element may have.
var commonElement = map[string]checker{
	"type": str, "id": str, "spacing": spacing, "separator": boolean, "height": enum("auto", "stretch"),
	"isVisible": boolean, "requires": object, "fallback": nil, "targetWidth": str,
}

// elements are the element types Teams renders.
var elements = map[string]spec{
	"TextBlock": {required: []string{"text"}, props: map[string]checker{
		"text": nonEmpty, "color": enum("default", "dark", "light", "accent", "good", "warning", "attention"),
		"fontType": enum("default", "monospace"), "horizontalAlignment": alignment, "isSubtle": boolean,
		"maxLines": number, "size": textSize, "weight": enum("default", "lighter", "bolder"), "wrap": boolean,
		"style": enum("default", "heading"),
	}},
	"Image": {required: []string{"url"}, props: map[string]checker{
		"url": imageURL, "altText": str, "backgroundColor": str, "horizontalAlignment": alignment,
		"selectAction": object, "size": imageSize, "style": enum("default", "person"), "width": str, "msteams": object,
	}},
	"FactSet": {required: []string{"facts"}, props: map[string]checker{"facts": array}},
	"Container": {required: []string{"items"}, props: map[string]checker{
		"items": array, "selectAction": object, "style": boxStyle, "verticalContentAlignment": vertical,
		"bleed": boolean, "backgroundImage": nil, "minHeight": str, "rtl": boolean,
	}},
	"ColumnSet": {props: map[string]checker{
		"columns": array, "selectAction": object, "style": boxStyle, "bleed": boolean, "minHeight": str,
		"horizontalAlignment": alignment,
	}},
	"Column": {props: map[string]checker{
		"items": array, "width": stringOrNumber, "selectAction": object, "style": boxStyle,
		"verticalContentAlignment": vertical, "bleed": boolean, "backgroundImage": nil, "minHeight": str, "rtl": boolean,
	}},
	"ActionSet": {required: []string{"actions"}, props: map[string]checker{"actions": array}},
	"ImageSet":  {required: []string{"images"}, props: map[string]checker{"images": array, "imageSize": imageSize}},
	"RichTextBlock": {required: []string{"inlines"}, props: map[string]checker{
		"inlines": array, "horizontalAlignment": alignment,
	}},
}

// commonAction are the properties every action may have.
var commonAction = map[string]checker{
	"type": str, "id": str, "title": str, "iconUrl": imageURL, "style": actionStyle, "fallback": nil,
	"tooltip": str, "isEnabled": boolean, "mode": enum("primary", "secondary"), "requires": object,
}

// actionSpecs are the action types Teams renders.
var actionSpecs = map[string]spec{
	"Action.OpenUrl":          {required: []string{"url"}, props: map[string]checker{"url": httpURL}},
	"Action.Submit":           {props: map[string]checker{"data": nil, "associatedInputs": enum("auto", "none")}},
	"Action.ShowCard":         {required: []string{"card"}, props: map[string]checker{"card": object}},
	"Action.ToggleVisibility": {required: []string{"targetElements"}, props: map[string]checker{"targetElements": array}},
	"Action.Execute":          {props: map[string]checker{"verb": str, "data": nil, "associatedInputs": enum("auto", "none")}},
}
