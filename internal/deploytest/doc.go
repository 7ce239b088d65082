// Package deploytest checks the ways Herald is deployed: the container
// image (Dockerfile) against a real Docker engine, the demo stack
// (deploy/compose) loaded with compose-go and run with the real
// Prometheus, Alertmanager and node_exporter, and the systemd unit
// (deploy/systemd). It has tests only.
package deploytest
