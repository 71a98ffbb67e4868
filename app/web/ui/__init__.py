"""The Gradio pages, one module per role, plus the plain-HTML login page."""
