"""The Gradio app's parts: what each tab shows, rendered as escaped HTML, and the handlers behind it."""
