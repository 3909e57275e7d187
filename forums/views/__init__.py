"""The forums app's views, one module per concern."""
