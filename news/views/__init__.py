"""The news app's views, one module per concern."""
