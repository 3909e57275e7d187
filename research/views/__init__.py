"""The research app's views, one module per concern."""
