"""The baseline: a bare Flask endpoint, served by gunicorn with the same settings as the web process."""

from flask import Flask, request

app = Flask(__name__)


@app.post("/meta/webhook")
def webhook() -> tuple[str, int]:
    request.get_data()
    return "OK", 200
