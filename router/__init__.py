"""The hotline's routing worker: Faust app, routing rules, queues, metrics and CLI."""
