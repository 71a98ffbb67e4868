"""The web app: login page, Gradio UIs for students, teachers and admins, and the HTTP API."""
