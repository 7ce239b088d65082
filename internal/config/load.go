package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// Environment variables read when there is no config file (and, for the
// token, when the file leaves telegram.bot_token empty), so that
// `docker run -e HERALD_TELEGRAM_BOT_TOKEN=... -e HERALD_TELEGRAM_CHAT_ID=...`
// works without writing a file.
const (
	// EnvTelegramBotToken holds the default bot's token.
	EnvTelegramBotToken = "HERALD_TELEGRAM_BOT_TOKEN"
	// EnvTelegramChatID holds the chat of the "telegram" channel built
	// when there is no file.
	EnvTelegramChatID = "HERALD_TELEGRAM_CHAT_ID"
)

// loader holds the state of one load: where the file is, and every problem
// found so far with the line of each field.
type loader struct {
	file    string              // the path as given, for messages
	dir     string              // base for relative *_file and template paths
	getenv  func(string) string // environment for ${VAR}
	errs    []*Error
	lines   map[string]int  // dotted field path -> line of its key
	failed  map[string]bool // fields that did not decode
	unknown map[string]bool // mappings that hold an unknown key
	aliases map[*yaml.Node]bool

	platforms    []Platform
	sections     map[string]map[string]Section // channel path -> platform -> section
	platformsSet map[string][]string           // channel path -> platforms set, in list order
}

func newLoader(file string, getenv func(string) string, platforms []Platform) *loader {
	dir := "."
	if file != "" {
		dir = filepath.Dir(file)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	return &loader{
		file: file, dir: dir, getenv: getenv,
		lines: map[string]int{}, failed: map[string]bool{}, unknown: map[string]bool{},
		aliases:   map[*yaml.Node]bool{},
		platforms: platforms, sections: map[string]map[string]Section{}, platformsSet: map[string][]string{},
	}
}

// Load reads, checks and completes the configuration file at path, taking
// ${VAR} values from the process environment; channels may use the
// platforms of ps (internal/platforms.All for Herald's). Problems in the
// file are returned together as *Errors; failing to read the file is
// returned as is (errors.Is(err, fs.ErrNotExist) works).
func Load(path string, ps []Platform) (*Config, error) {
	return load(path, os.Getenv, "", ps)
}

// load is Load with an injected environment and an optional bot token to use
// when the file sets none.
func load(path string, getenv func(string) string, envToken Secret, ps []Platform) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	l := newLoader(path, getenv, ps)
	c := DefaultConfig()
	c.File = path
	l.decodeFile(data, &c)
	l.assignSections(&c)
	l.loadSecretFiles(&c)
	if envToken != "" && c.Telegram.BotToken == "" && c.Telegram.BotTokenFile == "" && !l.hasFailed("telegram.bot_token") {
		c.Telegram.BotToken = envToken
	}
	l.validate(&c)
	if err := l.result(); err != nil {
		return nil, err
	}
	return &c, nil
}

// errEmptyFile refuses a file with no settings at all. Such a file is far
// more often a truncated write or a mistake than a wish for the defaults,
// and a reload with it would drop every channel; `{}` says "all defaults".
const errEmptyFile = "configuration file is empty (write {} to run on the defaults)"

// decodeFile parses data as one YAML document and decodes it over c.
func (l *loader) decodeFile(data []byte, c *Config) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			l.errorf("", 0, "%s", errEmptyFile)
		} else {
			line, msg := syntaxError(err)
			l.errorf("", line, "%s", msg)
		}
		return
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		line, msg := syntaxError(err)
		l.errorf("", line, "%s", msg)
	default:
		l.errorf("", extra.Line, "only one YAML document is allowed")
	}
	if len(root.Content) == 0 || (root.Content[0].Kind == yaml.ScalarNode && root.Content[0].Tag == "!!null") {
		l.errorf("", root.Line, "%s", errEmptyFile)
		return
	}
	l.mapping(root.Content[0], reflect.ValueOf(c).Elem(), "")
}

// Resolve finds the configuration the way `herald serve` does.
//
// When the file at path exists it is loaded, and HERALD_TELEGRAM_BOT_TOKEN
// fills telegram.bot_token if the file leaves it empty. When it does not
// exist and explicit is false (the user did not pass --config), Herald runs
// on defaults and the environment: with HERALD_TELEGRAM_BOT_TOKEN and
// HERALD_TELEGRAM_CHAT_ID both set it delivers to that chat, otherwise it
// prints alerts on the console. A missing file that was asked for is an
// error, since silently falling back would hide a typo in --config.
// A nil getenv means os.Getenv; ps are the platforms channels may use.
func Resolve(path string, explicit bool, getenv func(string) string, ps []Platform) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if path == "" {
		if explicit {
			return nil, errors.New("read config: no file given")
		}
		return fromEnv(getenv, ps)
	}
	c, err := load(path, getenv, Secret(getenv(EnvTelegramBotToken)), ps)
	if err != nil && !explicit && errors.Is(err, fs.ErrNotExist) {
		return fromEnv(getenv, ps)
	}
	return c, err
}

// fromEnv builds the configuration used when there is no file. The
// channel of HERALD_TELEGRAM_CHAT_ID is the section `telegram: {chat_id: …}`
// decoded as a file's would be, defaults included.
func fromEnv(getenv func(string) string, ps []Platform) (*Config, error) {
	l := newLoader("", getenv, ps)
	c := DefaultConfig()
	token, chat := getenv(EnvTelegramBotToken), getenv(EnvTelegramChatID)
	c.Telegram.BotToken = Secret(token)
	if _, ok := l.findPlatform(TelegramChannelName); ok && token != "" && chat != "" {
		if _, err := ParseChatID(chat); err != nil {
			l.errorf(EnvTelegramChatID, 0, "%v", err)
		} else {
			ch := DefaultChannelConfig()
			l.mapping(mappingNode("name", TelegramChannelName, TelegramChannelName, mappingNode("chat_id", chat)),
				reflect.ValueOf(&ch).Elem(), channelPath(0))
			c.Channels = []ChannelConfig{ch}
			l.assignSections(&c)
			c.DefaultChannel = ch.Name
		}
	}
	l.validate(&c)
	if err := l.result(); err != nil {
		return nil, err
	}
	return &c, nil
}

// mappingNode builds a YAML mapping of keys and values, each a string or a
// node, for the settings Herald writes itself.
func mappingNode(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, x := range kv {
		switch x := x.(type) {
		case *yaml.Node:
			n.Content = append(n.Content, x)
		case string:
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x, Style: yaml.DoubleQuotedStyle})
		}
	}
	return n
}
