"""The worker pool: the model served from Celery workers (or one in-process worker), tokens streamed back."""
