"""An example login backend for the demo: stands in for a real password check."""
