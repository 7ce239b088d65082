package config

import (
	"errors"
	"net/url"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Herald decodes the YAML node tree itself instead of calling
// yaml.Decoder.Decode with KnownFields, for two reasons: yaml.v3 does not
// carry KnownFields into custom unmarshalers (Node.Decode starts a fresh,
// lenient decoder), so the usual `type plain` pattern silently accepts typos
// below the top level; and yaml.v3 stops at the first structural problem and
// never names the field. The walker below visits structs, pointers and lists,
// applies defaults to every element it creates, expands ${VAR} in scalar
// values, and hands each scalar to yaml.v3 (so custom unmarshalers and
// yaml.v3's own type checks still apply), recording every problem with its
// line and dotted path.

// defaulter is implemented by config types whose list elements or optional
// sections have defaults; the walker calls it on every value it creates, the
// equivalent of `*c = DefaultX` at the top of a `type plain` UnmarshalYAML.
type defaulter interface {
	setDefaults()
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	nodeType        = reflect.TypeFor[yaml.Node]()
)

// decode stores n into v (addressable), recording problems under field.
func (l *loader) decode(n *yaml.Node, v reflect.Value, field string) {
	if n.Kind == yaml.AliasNode {
		if l.aliases[n] {
			l.fail(field, n.Line, "alias *"+n.Value+" refers to itself")
			return
		}
		l.aliases[n] = true
		defer delete(l.aliases, n)
		l.decode(n.Alias, v, field)
		return
	}
	t := v.Type()
	switch {
	case reflect.PointerTo(t).Implements(unmarshalerType) || t == nodeType || isScalarStruct(t):
		l.scalar(n, v, field)
	case t.Kind() == reflect.Struct && inlineMap(t) >= 0:
		l.dict(n, v.Field(inlineMap(t)), field)
	case t.Kind() == reflect.Struct:
		l.mapping(n, v, field)
	case t.Kind() == reflect.Pointer:
		// An empty section ("console:") turns the section on with its
		// defaults, which is what the user means; an empty optional scalar
		// ("storm_threshold:") means unset.
		if isNull(n) && t.Elem().Kind() != reflect.Struct {
			v.SetZero()
			return
		}
		p := reflect.New(t.Elem())
		setDefaults(p)
		l.decode(n, p.Elem(), field)
		v.Set(p)
	case t.Kind() == reflect.Slice:
		l.sequence(n, v, field)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		l.dict(n, v, field)
	default:
		l.scalar(n, v, field)
	}
}

// scalar decodes a leaf value with yaml.v3 after expanding ${VAR}.
func (l *loader) scalar(n *yaml.Node, v reflect.Value, field string) {
	if n.Kind == yaml.ScalarNode {
		var ok bool
		if n, ok = l.expandNode(n, field); !ok {
			return
		}
	}
	err := n.Decode(v.Addr().Interface())
	if err == nil {
		return
	}
	// A URL that does not parse (a proxy_url) is quoted whole by net/url,
	// password included: say what is wrong without the URL.
	if ue, ok := errors.AsType[*url.Error](err); ok {
		l.fail(field, n.Line, "invalid URL: "+ue.Err.Error())
		return
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, msg := range te.Errors {
			line, rest := splitYAMLError(msg)
			if line == 0 {
				line = n.Line
			}
			l.fail(field, line, rest)
		}
		return
	}
	line, rest := splitYAMLError(err.Error())
	if line == 0 {
		line = n.Line
	}
	l.fail(field, line, rest)
}

// sequence decodes a YAML list into a slice, applying defaults to each
// element before it is decoded.
func (l *loader) sequence(n *yaml.Node, v reflect.Value, field string) {
	if isNull(n) {
		v.SetZero()
		return
	}
	if n.Kind != yaml.SequenceNode {
		l.fail(field, n.Line, "must be a list, got "+describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		p := indexPath(field, i)
		l.lines[p] = item.Line
		e := s.Index(i)
		setDefaults(e.Addr())
		l.decode(item, e, p)
	}
	v.Set(s)
}

// mapping decodes a YAML mapping into a struct, keyed by the yaml tags.
// Fields that are not in the file keep the defaults already in v.
func (l *loader) mapping(n *yaml.Node, v reflect.Value, field string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		l.fail(field, n.Line, "must be a mapping, got "+describe(n))
		return
	}
	fields := yamlFields(v.Type())
	// Merge keys (<<: *base) go first so that keys written next to them win,
	// as in yaml.v3.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			l.merge(n.Content[i+1], v, field)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			l.errorf(field, k.Line, "keys must be strings, got %s", describe(k))
			continue
		}
		idx, ok := fields[k.Value]
		if pl, isSection := l.sectionKey(v, k.Value); !ok && isSection {
			child := joinPath(field, k.Value)
			if prev, dup := seen[k.Value]; dup {
				l.errorf(child, k.Line, "already set at line %d", prev)
				continue
			}
			seen[k.Value] = k.Line
			l.lines[child] = k.Line
			l.setSection(field, pl.Name, l.decodeSection(pl, val, child))
			continue
		}
		if !ok {
			l.errorf(field, k.Line, "unknown field %q", k.Value)
			l.unknown[field] = true
			continue
		}
		child := joinPath(field, k.Value)
		if prev, dup := seen[k.Value]; dup {
			l.errorf(child, k.Line, "already set at line %d", prev)
			continue
		}
		seen[k.Value] = k.Line
		l.lines[child] = k.Line
		l.decode(val, v.FieldByIndex(idx), child)
	}
}

// dict decodes a YAML mapping with free-form keys (headers) into a map,
// through the walker, so that values get ${VAR} expansion, defaults and
// field paths like any other value (prometheus.headers.X-Api-Key).
func (l *loader) dict(n *yaml.Node, v reflect.Value, field string) {
	if isNull(n) {
		v.SetZero()
		return
	}
	if n.Kind != yaml.MappingNode {
		l.fail(field, n.Line, "must be a mapping, got "+describe(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			l.errorf(field, k.Line, "keys must be strings, got %s", describe(k))
			continue
		case k.ShortTag() == "!!merge":
			l.errorf(field, k.Line, "merge keys (<<) are not supported here")
			continue
		}
		child := joinPath(field, k.Value)
		if prev, dup := seen[k.Value]; dup {
			l.errorf(child, k.Line, "already set at line %d", prev)
			continue
		}
		seen[k.Value] = k.Line
		l.lines[child] = k.Line
		e := reflect.New(v.Type().Elem())
		setDefaults(e)
		l.decode(val, e.Elem(), child)
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e.Elem())
	}
	v.Set(m)
}

// merge applies the value of a "<<" key: one mapping or a list of them.
func (l *loader) merge(n *yaml.Node, v reflect.Value, field string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			l.merge(item, v, field)
		}
		return
	}
	l.mapping(n, v, field)
}

// sectionKey reports whether key is a platform's section in v, a channel.
func (l *loader) sectionKey(v reflect.Value, key string) (Platform, bool) {
	if v.Type() != channelType {
		return Platform{}, false
	}
	return l.findPlatform(key)
}

var channelType = reflect.TypeFor[ChannelConfig]()

// setDefaults applies a type's defaults to a freshly created value.
func setDefaults(p reflect.Value) {
	if d, ok := p.Interface().(defaulter); ok {
		d.setDefaults()
	}
}

// yamlFields maps yaml key names to struct field indexes (paths, for the
// keys of an inlined struct such as prometheus/common's ProxyConfig).
func yamlFields(t reflect.Type) map[string][]int {
	m := make(map[string][]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" && opts == "inline" && f.Type.Kind() == reflect.Struct {
			for k, idx := range yamlFields(f.Type) {
				m[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = []int{i}
	}
	return m
}

// obsoleteUnmarshalerType is yaml.v2's unmarshaler, which the types of
// prometheus/common/config implement (yaml.v3 still calls it).
var obsoleteUnmarshalerType = reflect.TypeFor[interface {
	UnmarshalYAML(func(any) error) error
}]()

// isScalarStruct reports a struct written as one scalar, whose own
// unmarshaler parses it: it has an unmarshaler and no yaml keys
// (prometheus/common's URL).
func isScalarStruct(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || !reflect.PointerTo(t).Implements(obsoleteUnmarshalerType) {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("yaml") != "" {
			return false
		}
	}
	return true
}

// inlineMap returns the index of a struct's inlined map, a struct that is
// a mapping of free-form keys (prometheus/common's Headers), or -1.
func inlineMap(t reflect.Type) int {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && f.Tag.Get("yaml") == ",inline" && f.Type.Kind() == reflect.Map {
			return i
		}
	}
	return -1
}

// isNull reports an empty value ("key:" or "key: null").
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's kind for type errors. It leaves the value out:
// a token pasted under the wrong key must not end up in the error.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return n.ShortTag()
}
