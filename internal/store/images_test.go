package store

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// Chart images kept for replicas: read back byte for byte, published again
// with a later expiry kept until then, pruned once expired.
func TestChartImages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t, "")
	png := []byte("\x89PNG\r\n\x1a\n\x00binary\xff")
	if _, _, ok, err := s.Image(ctx, "a"); err != nil || ok {
		t.Fatalf("an image never kept: %v %v", ok, err)
	}
	if err := s.PutImage(ctx, "a", png, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutImage(ctx, "a", png, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutImage(ctx, "b", []byte("other"), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, saved, ok, err := s.Image(ctx, "a")
	if err != nil || !ok || !bytes.Equal(got, png) || saved.IsZero() {
		t.Fatalf("Image = %q %v %v %v", got, saved, ok, err)
	}
	n, err := s.PruneImages(ctx, t0.Add(2*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneImages = %d, %v; want the one expired", n, err)
	}
	if _, _, ok, _ := s.Image(ctx, "a"); !ok {
		t.Error("the image published again with a later expiry was pruned")
	}
	if _, _, ok, _ := s.Image(ctx, "b"); ok {
		t.Error("the expired image is still there")
	}
}
