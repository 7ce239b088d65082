package series

import "testing"

func TestKey(t *testing.T) {
	t.Parallel()
	a := Key("x", map[string]string{"b": "2", "a": `q"\` + "\n"})
	b := Key("x", map[string]string{"a": `q"\` + "\n", "b": "2"})
	if a != b || a != `x{a="q\"\\\n",b="2"}` {
		t.Errorf("Key = %s / %s", a, b)
	}
	if Key("up", nil) != "up{}" {
		t.Errorf("no labels: %s", Key("up", nil))
	}
}
