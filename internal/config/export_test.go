package config

// LoadEnv is load for the tests of package config_test, which use the
// real platforms (a package of this one's tests cannot import them).
var LoadEnv = load

// fakeEnv returns a getenv over a fixed map, so tests never depend on the
// environment of the machine running them.
func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}
