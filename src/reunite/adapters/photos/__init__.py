"""Photo codec (Pillow) and photo stores."""
